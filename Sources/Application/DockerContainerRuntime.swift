// slipway — Application
// SPDX-License-Identifier: Apache-2.0

import Docker
import Jobs
import Logging
import Sockets
import Synchronization

/// The workers' ``ContainerRuntime`` port, implemented on the Docker Engine API client.
///
/// Translates ``DockerError``s into the three failures a worker acts on: the engine is gone
/// (the job waits), the image is missing (the job fails with `image_not_found`), anything
/// else. The client is made on first use, so a `tcp://name:port` engine whose name does not
/// resolve yet makes slipway wait instead of refusing to start.
final class DockerContainerRuntime: ContainerRuntime {
    let host: DockerHost
    private let group: EventLoopGroup
    private let logger: Logger
    private let cachedClient = Mutex<DockerClient?>(nil)

    init(host: DockerHost, group: EventLoopGroup, logger: Logger) {
        self.host = host
        self.group = group
        self.logger = logger
        if case .unix(let path) = host.endpoint {
            self.cachedClient.withLock { $0 = DockerClient(address: .unix(path: path), group: group, logger: logger) }
        }
    }

    /// The engine's Unix socket, which host jobs get mounted; `nil` for a TCP engine.
    var socketPath: String? {
        if case .unix(let path) = self.host.endpoint { return path }
        return nil
    }

    func client() async throws -> DockerClient {
        if let client = self.cachedClient.withLock({ $0 }) { return client }
        let client = try await Self.translating { try await DockerClient(host: self.host, group: self.group, logger: self.logger) }
        return self.cachedClient.withLock { cached in
            if let cached { return cached }
            cached = client
            return client
        }
    }

    func ping() async throws {
        let client = try await self.client()
        try await Self.translating { _ = try await client.ping(timeout: .seconds(5)) }
    }

    func imageExists(_ image: String) async throws -> Bool {
        let client = try await self.client()
        return try await Self.translating { try await client.imageExists(image) }
    }

    func createContainer(_ specification: ContainerSpecification) async throws -> String {
        let client = try await self.client()
        let request = Self.request(for: specification)
        do {
            // Every container slipway creates (job containers of both worker kinds, dind
            // daemons) comes through here: with network `none` it starts without the
            // engine's network sandbox, in half the time, and gets the `/etc/hosts` `none`
            // would have given it (the rule and its numbers: DockerClient+NetworkNone.swift).
            return try await Self.translating { try await client.createContainerSkippingNetworkSandbox(request, name: specification.name).id }
        } catch ContainerRuntimeFailure.notFound {
            // Create answers 404 for one thing only: the image.
            throw ContainerRuntimeFailure.imageNotFound("the image \(specification.image) does not exist on the Docker engine")
        }
    }

    func startContainer(_ id: String) async throws {
        let client = try await self.client()
        try await Self.translating { _ = try await client.startContainer(id, idempotent: true) }
    }

    func attachOutput(_ id: String) async throws -> any ContainerOutputStream {
        let client = try await self.client()
        let attachment = try await Self.translating { try await client.attach(id, tty: false) }
        return AttachedOutput(attachment: attachment)
    }

    /// A job container's output through a hijacked attach connection.
    final class AttachedOutput: ContainerOutputStream {
        private let attachment: DockerAttachment

        init(attachment: DockerAttachment) { self.attachment = attachment }

        func next() async throws -> [UInt8]? {
            try await DockerContainerRuntime.translating { try await self.attachment.output.next()?.bytes }
        }

        func close() { self.attachment.close() }
    }

    func followOutput(_ id: String, sinceUnixTime: Int64?, output: @escaping @Sendable ([UInt8]) async -> Void) async throws {
        let client = try await self.client()
        // No idle timeout: a job may print nothing for an hour and still be fine.
        let options = LogOptions(follow: true, since: sinceUnixTime.map(Double.init))
        // slipway's containers have no TTY: saying so spares an inspect call per job.
        let stream = try await Self.translating { try await client.logs(id, options: options, tty: false) }
        defer { stream.cancel() }
        try await Self.translating {
            for try await chunk in stream {
                try Task.checkCancellation()
                await output(chunk.bytes)
            }
        }
    }

    func waitForExit(_ id: String) async throws -> Int32 {
        let client = try await self.client()
        let result = try await Self.translating { try await client.waitContainer(id, timeout: nil) }
        if let message = result.error?.message, !message.isEmpty {
            throw ContainerRuntimeFailure.engineError("waiting for container \(id) failed: \(message)")
        }
        return Int32(truncatingIfNeeded: result.statusCode)
    }

    func stopContainer(_ id: String, gracePeriod: Duration) async throws {
        let client = try await self.client()
        let seconds = Int((gracePeriod.components.seconds)) + (gracePeriod.components.attoseconds > 0 ? 1 : 0)
        do {
            try await Self.translating { _ = try await client.stopContainer(id, timeout: seconds, idempotent: true) }
        } catch ContainerRuntimeFailure.notFound {
            return
        }
    }

    func removeContainer(_ id: String) async throws {
        let client = try await self.client()
        try await Self.translating { _ = try await client.removeContainer(id, force: true, removeVolumes: true, idempotent: true) }
    }

    func containers(labeled labels: [String: String]) async throws -> [Jobs.ContainerSummary] {
        let client = try await self.client()
        var filters = DockerFilters()
        for (key, value) in labels.sorted(by: { $0.key < $1.key }) { filters = filters.label(key, value) }
        let found = try await Self.translating { [filters] in try await client.listContainers(all: true, filters: filters) }
        return found.map {
            Jobs.ContainerSummary(id: $0.id, labels: $0.labels ?? [:], isRunning: $0.state == "running",
                                  name: $0.names?.first.map { $0.hasPrefix("/") ? String($0.dropFirst()) : $0 })
        }
    }

    func state(of id: String) async throws -> Jobs.ContainerState? {
        let client = try await self.client()
        do {
            let inspect = try await client.inspectContainer(id)
            let running = inspect.state?.running ?? false
            return Jobs.ContainerState(isRunning: running, exitCode: running ? nil : inspect.state?.exitCode.map { Int32(truncatingIfNeeded: $0) })
        } catch where error.code == .notFound {
            return nil
        } catch {
            throw Self.failure(for: error)
        }
    }

    // MARK: - Per-job daemons

    func createVolume(_ name: String, labels: [String: String]) async throws {
        let client = try await self.client()
        try await Self.translating { _ = try await client.createVolume(VolumeCreateRequest(name: name, labels: labels)) }
    }

    func removeVolume(_ name: String) async throws {
        let client = try await self.client()
        try await Self.translating { _ = try await client.removeVolume(name, force: true, idempotent: true) }
    }

    func volumes(labeled labels: [String: String]) async throws -> [VolumeSummary] {
        let client = try await self.client()
        var filters = DockerFilters()
        for (key, value) in labels.sorted(by: { $0.key < $1.key }) { filters = filters.label(key, value) }
        let found = try await Self.translating { [filters] in try await client.listVolumes(filters: filters) }
        return found.map { VolumeSummary(name: $0.name, labels: $0.labels ?? [:]) }
    }

    func networks(labeled labels: [String: String]) async throws -> [NetworkSummary] {
        let client = try await self.client()
        var filters = DockerFilters()
        for (key, value) in labels.sorted(by: { $0.key < $1.key }) { filters = filters.label(key, value) }
        let found = try await Self.translating { [filters] in try await client.listNetworks(filters: filters) }
        return found.map { NetworkSummary(id: $0.id, name: $0.name, labels: $0.labels ?? [:]) }
    }

    func removeNetwork(_ id: String) async throws {
        let client = try await self.client()
        try await Self.translating { _ = try await client.removeNetwork(id, idempotent: true) }
    }

    func volumeSizes() async throws -> [String: Int64] {
        let client = try await self.client()
        let usage = try await Self.translating { try await client.volumeUsage() }
        var sizes: [String: Int64] = [:]
        for volume in usage { if let size = volume.size { sizes[volume.name] = size } }
        return sizes
    }

    func pingDaemon(socketPath: String, timeout: Duration) async throws {
        // A client per call, keeping no connection: the daemon is pinged a few times while it
        // starts, then only by the job's own docker CLI.
        var configuration = DockerClient.Configuration()
        configuration.connectTimeout = timeout
        configuration.requestTimeout = timeout
        configuration.maxIdleConnections = 0
        let client = DockerClient(address: .unix(path: socketPath), group: self.group, configuration: configuration, logger: self.logger)
        try await Self.translating { _ = try await client.ping(timeout: timeout) }
    }

    func lastOutput(of id: String, lines: Int) async throws -> [UInt8] {
        let client = try await self.client()
        return try await Self.translating {
            let stream = try await client.logs(id, options: LogOptions(tail: lines), tty: false)
            var bytes: [UInt8] = []
            for try await chunk in stream { bytes.append(contentsOf: chunk.bytes) }
            return bytes
        }
    }

    // MARK: - Translation

    /// The create request for `specification`, as configured. ``createContainer(_:)`` sends it
    /// through ``DockerClient/createContainerSkippingNetworkSandbox(_:name:)``, which adds
    /// `NetworkDisabled` (and puts `/etc/hosts`) when the network mode is `none`.
    static func request(for specification: ContainerSpecification) -> ContainerCreateRequest {
        var hostConfig = HostConfig(
            mounts: specification.mounts.map(Self.mount), networkMode: specification.networkMode,
            privileged: specification.privileged ? true : nil,
            capAdd: specification.capabilitiesAdded.isEmpty ? nil : specification.capabilitiesAdded,
            capDrop: specification.capabilitiesDropped.isEmpty ? nil : specification.capabilitiesDropped,
            securityOpt: specification.securityOptions.isEmpty ? nil : specification.securityOptions,
            memory: specification.memoryBytes, nanoCPUs: specification.nanoCPUs,
            initProcess: specification.initProcess
        )
        // Without this a memory limit would allow the same amount again in swap.
        hostConfig.memorySwap = specification.memoryBytes
        hostConfig.pidsLimit = specification.pidsLimit
        if specification.unconfinedSystemPaths {
            // `--security-opt systempaths=unconfined` is CLI sugar for these two empty lists.
            hostConfig.maskedPaths = []
            hostConfig.readonlyPaths = []
        }
        return ContainerCreateRequest(
            image: specification.image, cmd: specification.command, entrypoint: specification.entrypoint,
            env: specification.environment, workingDir: specification.workingDirectory,
            labels: specification.labels, hostConfig: hostConfig
        )
    }

    static func mount(_ mount: ContainerSpecification.Mount) -> Docker.Mount {
        let kind: Docker.Mount.Kind = switch mount.kind {
        case .bind: .bind
        case .volume: .volume
        case .tmpfs: .tmpfs
        }
        return Docker.Mount(type: kind, source: mount.kind == .tmpfs ? nil : mount.source, target: mount.target, readOnly: mount.readOnly ? true : nil)
    }

    /// Runs `body`, translating its ``DockerError`` into a ``ContainerRuntimeFailure``.
    static func translating<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as DockerError {
            throw Self.failure(for: error)
        }
    }

    static func failure(for error: DockerError) -> any Error {
        switch error.code {
        case .cancelled:
            return CancellationError()
        case .daemonUnavailable, .timedOut, .streamFailed:
            return ContainerRuntimeFailure.engineUnavailable(error.description)
        case .notFound:
            return ContainerRuntimeFailure.notFound(error.description)
        default:
            return ContainerRuntimeFailure.engineError(error.description)
        }
    }
}
