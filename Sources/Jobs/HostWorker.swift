// slipway — Jobs
// SPDX-License-Identifier: Apache-2.0

/// Runs jobs on the host's Docker daemon, with a Docker socket mounted into the job.
///
/// Fast: the layer cache is shared. With a ``DockerSocketGuard`` (`docker_api: guarded`) each
/// job gets a socket of its own on which it can only touch what it created, and what it
/// created is removed when it ends. Without one (`docker_api: full`) the job gets the engine's
/// own socket and can do anything the daemon can. Either way only allow-listed projects may
/// use this worker (docs/operators-guide.md).
public struct HostWorker: Worker {
    public struct Configuration: Sendable {
        /// The host path of the Docker socket mounted at `/var/run/docker.sock` in jobs.
        public var dockerSocketPath: String
        /// Network mode of job containers (`bridge` by default; tests use `none`).
        public var networkMode = "bridge"
        public var memoryBytes: Int64?
        public var nanoCPUs: Int64?
        public var pidsLimit: Int64?
        /// Identifies this slipway installation in container labels.
        public var instance: String
        public var stopGracePeriod: Duration = .seconds(10)

        public init(dockerSocketPath: String, instance: String) {
            self.dockerSocketPath = dockerSocketPath
            self.instance = instance
        }
    }

    public let kind = WorkerKind.host
    public let configuration: Configuration
    private let runtime: any ContainerRuntime
    private let workspaces: any WorkspaceManager
    /// Serves each job its own guarded socket; `nil`: jobs get the engine's socket.
    private let socketGuard: (any DockerSocketGuard)?

    public init(configuration: Configuration, runtime: any ContainerRuntime, workspaces: any WorkspaceManager,
                socketGuard: (any DockerSocketGuard)? = nil) {
        self.configuration = configuration
        self.runtime = runtime
        self.workspaces = workspaces
        self.socketGuard = socketGuard
    }

    private var containerRun: ContainerJobRun {
        ContainerJobRun(runtime: self.runtime, stopGracePeriod: self.configuration.stopGracePeriod)
    }

    public func run(_ execution: JobExecution) async -> JobOutcome {
        let job = execution.job
        guard let workspace = await self.workspaces.prepareWorkspace(for: execution) else {
            return .failed(.runnerSystemFailure, exitCode: nil)
        }
        let socket: String
        do {
            socket = try await self.openSocket(for: job, workspace: workspace)
        } catch {
            await execution.note("cannot open the job's Docker socket: \(error)")
            await self.finish(job, note: execution.note)
            return .failed(.runnerSystemFailure, exitCode: nil)
        }
        let specification = self.containerSpecification(for: job, workspace: workspace, dockerSocket: socket)
        let outcome = await self.containerRun.run(specification, for: execution)
        switch outcome {
        case .requeue:
            await self.socketGuard?.closeSocket(for: job.id)  // the job runs again from the start
        case .lostContact:
            break  // the job is followed again once the engine answers, socket and all
        default:
            await self.finish(job, note: execution.note)
        }
        return outcome
    }

    public func resume(_ execution: JobExecution, containerID: String) async -> JobOutcome {
        // A restarted slipway serves the socket again: containers the job starts from now on
        // reach it. (The job container's own mount still shows the socket of the slipway that
        // created it.)
        if self.socketGuard != nil {
            do {
                _ = try await self.openSocket(for: execution.job, workspace: self.workspaces.path(for: execution.job.id))
            } catch {
                await execution.note("cannot serve the job's Docker socket again: \(error)")
            }
        }
        let outcome = await self.containerRun.follow(containerID, for: execution, skipping: await execution.outputBytes())
        if case .lostContact = outcome {} else { await self.finish(execution.job, note: execution.note) }
        return outcome
    }

    /// The socket the job gets: its own guarded one, or the engine's.
    private func openSocket(for job: Job, workspace: String) async throws -> String {
        guard let socketGuard = self.socketGuard else { return self.configuration.dockerSocketPath }
        return try await socketGuard.openSocket(for: job, workspace: workspace) ?? self.configuration.dockerSocketPath
    }

    /// After the job: its socket closes (nothing it started can create more), what it created
    /// through the socket is removed, and its workspace goes.
    private func finish(_ job: Job, note: @escaping @Sendable (String) async -> Void) async {
        if let socketGuard = self.socketGuard {
            await socketGuard.closeSocket(for: job.id)
            await JobObjectCleanup(runtime: self.runtime, instance: self.configuration.instance).removeObjects(of: job.id, note: note)
        }
        await self.removeWorkspace(of: job)
    }

    private func removeWorkspace(of job: Job) async {
        let image = job.specification.image
        await self.workspaces.removeWorkspace(for: job.id, runtime: self.runtime, instance: self.configuration.instance) { image }
    }

    /// The job container: the script under `sh -e`, `dockerSocket` (a host path) at the
    /// standard path, the workspace at the same absolute path as on the host, and labels for
    /// reconciliation.
    public func containerSpecification(for job: Job, workspace: String, dockerSocket: String? = nil) -> ContainerSpecification {
        ContainerSpecification(
            name: "slipway-job-\(job.id)-\(self.configuration.instance.prefix(8))",
            image: job.specification.image,
            entrypoint: ["/bin/sh", "-e", "-c"],
            command: [JobScript.program(for: job.specification.script, workingDirectory: workspace)],
            environment: JobEnvironment.variables(for: job, workspace: workspace),
            workingDirectory: workspace,
            labels: ContainerLabels.forJob(job.id, role: "job", instance: self.configuration.instance),
            mounts: [
                .init(kind: .bind, source: dockerSocket ?? self.configuration.dockerSocketPath, target: "/var/run/docker.sock"),
                .init(kind: .bind, source: workspace, target: workspace),
            ],
            networkMode: self.configuration.networkMode,
            memoryBytes: self.configuration.memoryBytes,
            nanoCPUs: self.configuration.nanoCPUs,
            pidsLimit: self.configuration.pidsLimit,
            initProcess: true
        )
    }
}

/// The environment of a job container.
public enum JobEnvironment {
    /// The job's variables, then slipway's own (which win): the socket, no TLS settings, and
    /// the `CI_*` basics every job gets.
    public static func variables(for job: Job, workspace: String) -> [String] {
        var environment = job.specification.variables
        for name in ["DOCKER_TLS_CERTDIR", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"] { environment[name] = nil }
        environment["DOCKER_HOST"] = "unix:///var/run/docker.sock"
        environment["CI"] = environment["CI"] ?? "true"
        environment["CI_JOB_ID"] = job.id.description
        environment["CI_JOB_NAME"] = job.specification.name
        environment["CI_PROJECT_DIR"] = workspace
        environment["SLIPWAY_JOB_ID"] = job.id.description
        return environment.keys.sorted().map { "\($0)=\(environment[$0]!)" }
    }
}
