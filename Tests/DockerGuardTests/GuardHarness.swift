// slipway — DockerGuard tests
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import Docker
import DockerGuard
import Foundation
import Logging
import Sockets
import Testing
import TestSupport

/// Two jobs' guarded sockets on the private test daemon, as slipway would serve them, and the
/// real Docker CLI to talk through them.
///
/// The daemon comes from ``DockerTestEnvironment``: `SLIPWAY_SKIP_DOCKER=1` skips the live
/// suites visibly; otherwise a missing daemon fails them with instructions.
final class GuardHarness: @unchecked Sendable {
    // @unchecked: set up once in `init` and `open`, then only read.
    static var busybox: String { DockerTestEnvironment.busyboxImage }

    static let logger: Logger = {
        var logger = Logger(label: "guard-test")
        logger.logLevel = ProcessRunner.environment["GUARD_DEBUG"] == "1" ? .debug : .warning
        return logger
    }()

    let root: String
    let instance = "guard-test-\(UInt32.random(in: 0...UInt32.max))"
    let engineSocket: String
    let dockerGuard: DockerGuard
    let docker: DockerClient
    private(set) var sockets: [String: GuardedSocket] = [:]

    /// The private daemon's socket path, or a recorded failure saying how to start it.
    static func engineSocketPath() throws -> String {
        let host = try DockerTestEnvironment.host()
        guard host.hasPrefix("unix://") else {
            Issue.record("the private test daemon must listen on a Unix socket (SLIPWAY_TEST_DOCKER_HOST=\(host))")
            throw DockerTestSetupError()
        }
        return String(host.dropFirst("unix://".count))
    }

    /// - Parameter configure: adjusts the guard's settings (timeouts, connection limits).
    init(configure: (inout DockerGuard.Settings) -> Void = { _ in }) async throws {
        self.engineSocket = try Self.engineSocketPath()
        var template = Array("/tmp/sg-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw DockerTestSetupError(message: "mkdtemp failed: errno \(errno)") }
        self.root = String(cString: made)
        var settings = DockerGuard.Settings(socketDirectory: "\(self.root)/guard", engine: DockerHost(.unix(path: self.engineSocket)))
        configure(&settings)
        self.docker = DockerClient(address: .unix(path: self.engineSocket), group: sharedTestGroup)
        self.dockerGuard = DockerGuard(settings: settings, group: sharedTestGroup, lookup: DockerEngineLookup(client: self.docker),
                                       logger: Self.logger)
        try await self.dockerGuard.prepareDirectory()
    }

    /// The labels of job `job`'s objects in this harness.
    func ownerLabels(_ job: String) -> [String: String] {
        ["slipway.managed": "true", "slipway.instance": self.instance, "slipway.job": job]
    }

    func workspace(_ job: String) -> String { "\(self.root)/ws-\(job)" }

    /// Opens job `job`'s socket (and creates its workspace).
    @discardableResult
    func open(_ job: String, relaxing rules: Set<GuardRule> = []) async throws -> GuardedSocket {
        try FileManager.default.createDirectory(atPath: self.workspace(job), withIntermediateDirectories: true)
        var policy = GuardPolicy(ownerLabels: self.ownerLabels(job), creationLabels: ["slipway.role": "guarded"], workspace: self.workspace(job),
                                 engineSocketPath: self.engineSocket, guardedSocketPath: self.dockerGuard.socketPath(for: job),
                                 guardedSocketDirectory: self.dockerGuard.settings.socketDirectory)
        policy.relaxedRules = rules
        policy.pidsLimit = 256
        let socket = try await self.dockerGuard.open(job, policy: policy)
        self.sockets[job] = socket
        return socket
    }

    /// Runs the Docker CLI as job `job` (through its guarded socket).
    func cli(_ job: String, _ arguments: [String], in directory: String? = nil) async throws -> ProcessResult {
        try await ProcessRunner.run(DockerTestEnvironment.cli, arguments, environment: [
            "DOCKER_HOST": "unix://\(self.dockerGuard.socketPath(for: job))", "DOCKER_CONFIG": "\(self.root)/cli-config",
            "DOCKER_BUILDKIT": "0",
        ], currentDirectory: directory ?? self.workspace(job))
    }

    /// A raw connection to job `job`'s socket.
    func connect(_ job: String) async throws -> AsyncSocket {
        try await AsyncSocket.connect(to: .unix(path: self.dockerGuard.socketPath(for: job)), on: sharedTestGroup.next(), timeout: .seconds(5))
    }

    /// Sends `request` on a fresh connection and reads until the guard closes it or
    /// `deadline` passes; the bytes received.
    func exchange(_ job: String, _ request: [UInt8], timeout: Duration = .seconds(10)) async throws -> String {
        let socket = try await self.connect(job)
        defer { socket.close() }
        try await socket.write(request)
        return try await Self.readAll(socket, timeout: timeout)
    }

    static func readAll(_ socket: AsyncSocket, timeout: Duration) async throws -> String {
        try await self.readToEnd(socket, timeout: timeout).text
    }

    /// What arrives until the peer closes (`closed`) or `timeout` passes.
    static func readToEnd(_ socket: AsyncSocket, timeout: Duration) async throws -> (text: String, closed: Bool) {
        var received: [UInt8] = []
        let deadline = Instant.now() + timeout
        do {
            while true {
                let bytes = try await socket.read(deadline: deadline)
                if bytes.isEmpty { return (String(decoding: received, as: UTF8.self), true) }
                received += bytes
            }
        } catch AsyncSocket.Failure.timedOut {
            return (String(decoding: received, as: UTF8.self), false)
        } catch let error as SystemError where error.errno == ECONNRESET {
            return (String(decoding: received, as: UTF8.self), true)
        }
    }

    /// One request and its whole response on an open connection (Content-Length framing only).
    static func roundTrip(_ socket: AsyncSocket, _ request: String, timeout: Duration = .seconds(30)) async throws -> (status: Int, body: String) {
        try await socket.write(Array(request.utf8))
        var received: [UInt8] = []
        let deadline = Instant.now() + timeout
        while true {
            if let headEnd = received.firstRange(of: Array("\r\n\r\n".utf8)) {
                let head = String(decoding: received[..<headEnd.lowerBound], as: UTF8.self)
                let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? -1
                let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                if received.count - headEnd.upperBound >= length {
                    return (status, String(decoding: received[headEnd.upperBound..<(headEnd.upperBound + length)], as: UTF8.self))
                }
            }
            let bytes = try await socket.read(deadline: deadline)
            if bytes.isEmpty { throw DockerTestSetupError(message: "connection closed after \(received.count) bytes: \(String(decoding: received, as: UTF8.self))") }
            received += bytes
        }
    }

    /// Removes everything the jobs created and closes the sockets; call on every path.
    func tearDown() async {
        await self.dockerGuard.closeAll()
        let filters = DockerFilters().label("slipway.instance", self.instance)
        for container in (try? await self.docker.listContainers(all: true, filters: filters)) ?? [] {
            _ = try? await self.docker.removeContainer(container.id, force: true, removeVolumes: true, idempotent: true)
        }
        for network in (try? await self.docker.listNetworks(filters: filters)) ?? [] {
            _ = try? await self.docker.removeNetwork(network.id, idempotent: true)
        }
        for volume in (try? await self.docker.listVolumes(filters: filters)) ?? [] {
            _ = try? await self.docker.removeVolume(volume.name, force: true, idempotent: true)
        }
        try? FileManager.default.removeItem(atPath: self.root)
    }

    /// Runs `body` with a fresh harness and tears it down whatever happens.
    static func with(configure: (inout DockerGuard.Settings) -> Void = { _ in }, _ body: (GuardHarness) async throws -> Void) async throws {
        let harness = try await GuardHarness(configure: configure)
        do {
            try await body(harness)
        } catch {
            await harness.tearDown()
            throw error
        }
        await harness.tearDown()
    }
}
