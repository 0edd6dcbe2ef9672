// slipway — Jobs
// SPDX-License-Identifier: Apache-2.0

/// Starts a per-job Docker daemon, waits until it answers `/_ping`, and removes it again with
/// its data volume and socket directory.
public struct DindDaemonLauncher: Sendable {
    /// What a daemon is started for.
    public struct Request: Sendable, Hashable {
        /// The job it is started for; `nil` for a warm daemon.
        public var job: JobID?
        /// A host directory mounted at the same path in the daemon, so the job's
        /// `docker run -v "$PWD:/src"` finds its files (a warm daemon gets the workspace root).
        public var workspace: String?
        /// A project's layer-cache volume for `/var/lib/docker`, with its project.
        public var cache: (volume: String, project: String)?

        public init(job: JobID? = nil, workspace: String? = nil, cache: (volume: String, project: String)? = nil) {
            self.job = job
            self.workspace = workspace
            self.cache = cache
        }

        public static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.job == rhs.job && lhs.workspace == rhs.workspace && lhs.cache?.volume == rhs.cache?.volume && lhs.cache?.project == rhs.cache?.project
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(self.job)
            hasher.combine(self.workspace)
            hasher.combine(self.cache?.volume)
        }
    }

    public var configuration: DindWorkerConfiguration
    public var runtime: any ContainerRuntime
    public var directories: any DaemonDirectories

    public init(configuration: DindWorkerConfiguration, runtime: any ContainerRuntime, directories: any DaemonDirectories) {
        self.configuration = configuration
        self.runtime = runtime
        self.directories = directories
    }

    /// How often the daemon's socket is pinged while it starts.
    static let pollInterval: Duration = .milliseconds(20)

    /// Starts a daemon and waits until it answers. On failure everything created is removed
    /// again; the failure carries the daemon's last lines of output.
    public func launch(_ request: Request) async -> Result<DindDaemon, DindStartFailure> {
        let token = Self.makeToken()
        let name = DindDaemon.name(instance: self.configuration.instance, token: token)
        let directory: String
        do {
            directory = try await self.directories.prepare(token)
        } catch {
            return .failure(DindStartFailure(.daemonFailed, "cannot create the daemon's socket directory: \(error)"))
        }
        var daemon = DindDaemon(name: name, containerID: "", token: token, directory: directory,
                                volume: request.cache?.volume ?? name, usesCache: request.cache != nil)
        do {
            if let cache = request.cache {
                try await self.runtime.createVolume(cache.volume, labels: [
                    ContainerLabels.managed: "true", ContainerLabels.instance: self.configuration.instance,
                    ContainerLabels.role: "cache", ContainerLabels.project: cache.project,
                ])
            } else {
                var labels = ContainerLabels.forInstance(self.configuration.instance, role: "dind-data")
                labels[ContainerLabels.daemon] = name
                try await self.runtime.createVolume(name, labels: labels)
            }
            daemon.containerID = try await self.runtime.createContainer(self.specification(for: daemon, request: request))
            try await self.runtime.startContainer(daemon.containerID)
        } catch {
            let failure = Self.failure(for: error, doing: "cannot start the daemon container \(name)")
            await self.tearDown(daemon)
            return .failure(failure)
        }
        do {
            try await self.waitUntilReady(daemon)
            return .success(daemon)
        } catch let failure {
            var failure = failure
            if failure.kind == .daemonFailed, !daemon.containerID.isEmpty {
                let runtime = self.runtime
                let id = daemon.containerID
                let lines = self.configuration.diagnosticLines
                failure.daemonOutput = await Task { (try? await runtime.lastOutput(of: id, lines: lines)) ?? [] }.value
            }
            await self.tearDown(daemon)
            return .failure(failure)
        }
    }

    /// Polls the daemon's socket until it answers, the daemon exits, or the deadline passes.
    func waitUntilReady(_ daemon: DindDaemon) async throws(DindStartFailure) {
        let clock = ContinuousClock()
        let deadline = clock.now + self.configuration.startupDeadline
        var lastError: (any Error)?
        while true {
            if Task.isCancelled { throw DindStartFailure(.canceled, "the job was stopped while its Docker daemon started") }
            let remaining = deadline - clock.now
            do {
                try await self.runtime.pingDaemon(socketPath: daemon.socketPath, timeout: max(.milliseconds(100), min(remaining, .seconds(1))))
                return
            } catch {
                lastError = error
            }
            do {
                if let state = try await self.runtime.state(of: daemon.containerID), !state.isRunning {
                    let code = state.exitCode.map { " with exit code \($0)" } ?? ""
                    throw DindStartFailure(.daemonFailed, "the Docker daemon \(daemon.name) exited\(code) before it answered /_ping")
                }
            } catch let failure as DindStartFailure {
                throw failure
            } catch {
                if Task.isCancelled { throw DindStartFailure(.canceled, "the job was stopped while its Docker daemon started") }
                throw Self.failure(for: error, doing: "cannot inspect the daemon container \(daemon.name)")
            }
            if clock.now >= deadline {
                throw DindStartFailure(.daemonFailed, "the Docker daemon \(daemon.name) did not answer /_ping within \(self.configuration.startupDeadline) (last error: \(lastError.map { "\($0)" } ?? "none")); raise workers.dind.startup_deadline if the host is slow")
            }
            do {
                try await Task.sleep(for: Self.pollInterval)
            } catch {
                throw DindStartFailure(.canceled, "the job was stopped while its Docker daemon started")
            }
        }
    }

    /// The daemon container: `dockerd` on a socket in its host directory, `/var/lib/docker` on
    /// a volume of its own (or the project's cache), privileged or with the explicit
    /// capability set, limits, and labels that tie it to this installation.
    public func specification(for daemon: DindDaemon, request: Request) -> ContainerSpecification {
        var labels = ContainerLabels.forInstance(self.configuration.instance, role: "dind")
        labels[ContainerLabels.daemon] = daemon.name
        if let job = request.job { labels[ContainerLabels.job] = job.description }
        if let cache = request.cache { labels[ContainerLabels.cacheVolume] = cache.volume }
        var mounts: [ContainerSpecification.Mount] = [
            // A fresh /run: no pid files from an earlier start of this daemon's data root.
            .init(kind: .tmpfs, source: "", target: "/run"),
            .init(kind: .volume, source: daemon.volume, target: "/var/lib/docker"),
            .init(kind: .bind, source: daemon.directory, target: daemon.directory),
        ]
        if let workspace = request.workspace { mounts.append(.init(kind: .bind, source: workspace, target: workspace)) }
        var specification = ContainerSpecification(
            name: daemon.name,
            image: self.configuration.image,
            command: ["dockerd", "--host=unix://\(daemon.socketPath)"] + self.configuration.daemonArguments,
            labels: labels,
            mounts: mounts,
            networkMode: self.configuration.networkMode,
            memoryBytes: self.configuration.memoryBytes,
            nanoCPUs: self.configuration.nanoCPUs,
            privileged: self.configuration.privileged,
            initProcess: true
        )
        if !self.configuration.privileged {
            specification.capabilitiesAdded = ["ALL"]
            specification.capabilitiesDropped = ["SYS_RESOURCE"]
            specification.securityOptions = ["seccomp=unconfined", "apparmor=unconfined"]
            specification.unconfinedSystemPaths = true
            specification.mounts.append(.init(kind: .bind, source: "/sys/fs/cgroup", target: "/sys/fs/cgroup"))
        }
        return specification
    }

    /// Removes the daemon container, its data volume (not a project's cache) and its socket
    /// directory. Runs in a task of its own: the cancellation that stopped a job must not stop
    /// its clean-up.
    public func tearDown(_ daemon: DindDaemon) async {
        let runtime = self.runtime
        let directories = self.directories
        let grace = self.configuration.stopGracePeriod
        await Task {
            if !daemon.containerID.isEmpty {
                // A daemon on a kept cache shuts down cleanly so its data root stays consistent;
                // any other is simply killed with everything it runs.
                if daemon.usesCache { try? await runtime.stopContainer(daemon.containerID, gracePeriod: grace) }
                try? await runtime.removeContainer(daemon.containerID)
            }
            if !daemon.usesCache { try? await runtime.removeVolume(daemon.volume) }
            await directories.remove(daemon.token)
        }.value
    }

    /// Removes the daemon called `name` (after a restart, when only labels are left). Returns
    /// the layer-cache volume it used, if any.
    @discardableResult
    public func tearDown(named name: String) async -> String? {
        let found = (try? await self.runtime.containers(labeled: [
            ContainerLabels.daemon: name, ContainerLabels.role: "dind", ContainerLabels.instance: self.configuration.instance,
        ])) ?? []
        let cacheVolume = found.lazy.compactMap { $0.labels[ContainerLabels.cacheVolume] }.first
        let token = DindDaemon.token(fromName: name) ?? ""
        for container in found {
            await self.tearDown(DindDaemon(name: name, containerID: container.id, token: token, directory: "",
                                           volume: cacheVolume ?? name, usesCache: cacheVolume != nil))
        }
        if found.isEmpty {
            await self.tearDown(DindDaemon(name: name, containerID: "", token: token, directory: "", volume: name, usesCache: false))
        }
        return cacheVolume
    }

    static func failure(for error: any Error, doing what: String) -> DindStartFailure {
        if error is CancellationError { return DindStartFailure(.canceled, "the job was stopped while its Docker daemon started") }
        if case ContainerRuntimeFailure.engineUnavailable(let message) = error { return DindStartFailure(.engineUnavailable, message) }
        if case ContainerRuntimeFailure.imageNotFound(let message) = error {
            return DindStartFailure(.daemonFailed, "\(what): \(message) (workers.dind.image)")
        }
        return DindStartFailure(.daemonFailed, "\(what): \(error)")
    }

    /// Eight hex digits: short, because the socket path must fit in 108 bytes.
    static func makeToken() -> String {
        let value = UInt32.random(in: 0...UInt32.max)
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }
}
