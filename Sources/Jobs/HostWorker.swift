// slipway — Jobs
// SPDX-License-Identifier: Apache-2.0

/// Runs jobs on the host's Docker daemon, with that daemon's socket mounted into the job.
///
/// Fast (the layer cache is shared) and not isolated: a job here can do anything the daemon
/// can, so only allow-listed projects may use it (DESIGN.md).
public struct HostWorker: Worker {
    public struct Configuration: Sendable {
        /// The host path of the Docker socket mounted at `/var/run/docker.sock` in jobs.
        public var dockerSocketPath: String
        /// Network mode of job containers (`bridge` by default; tests use `none`).
        public var networkMode = "bridge"
        public var memoryBytes: Int64?
        public var nanoCPUs: Int64?
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

    public init(configuration: Configuration, runtime: any ContainerRuntime, workspaces: any WorkspaceManager) {
        self.configuration = configuration
        self.runtime = runtime
        self.workspaces = workspaces
    }

    private var containerRun: ContainerJobRun {
        ContainerJobRun(runtime: self.runtime, stopGracePeriod: self.configuration.stopGracePeriod)
    }

    public func run(_ execution: JobExecution) async -> JobOutcome {
        let job = execution.job
        guard let workspace = await self.workspaces.prepareWorkspace(for: execution) else {
            return .failed(.runnerSystemFailure, exitCode: nil)
        }
        let specification = self.containerSpecification(for: job, workspace: workspace)
        let outcome = await self.containerRun.run(specification, for: execution)
        switch outcome {
        case .requeue, .lostContact: break  // the job will run (or be followed) again
        default: await self.removeWorkspace(of: job)
        }
        return outcome
    }

    public func resume(_ execution: JobExecution, containerID: String) async -> JobOutcome {
        let outcome = await self.containerRun.follow(containerID, for: execution, skipping: await execution.outputBytes())
        if case .lostContact = outcome {} else { await self.removeWorkspace(of: execution.job) }
        return outcome
    }

    private func removeWorkspace(of job: Job) async {
        let image = job.specification.image
        await self.workspaces.removeWorkspace(for: job.id, runtime: self.runtime, instance: self.configuration.instance) { image }
    }

    /// The job container: the script under `sh -e`, the host socket at the standard path, the
    /// workspace at the same absolute path as on the host, and labels for reconciliation.
    public func containerSpecification(for job: Job, workspace: String) -> ContainerSpecification {
        ContainerSpecification(
            name: "slipway-job-\(job.id)-\(self.configuration.instance.prefix(8))",
            image: job.specification.image,
            entrypoint: ["/bin/sh", "-e", "-c"],
            command: [JobScript.program(for: job.specification.script, workingDirectory: workspace)],
            environment: JobEnvironment.variables(for: job, workspace: workspace),
            workingDirectory: workspace,
            labels: ContainerLabels.forJob(job.id, role: "job", instance: self.configuration.instance),
            mounts: [
                .init(kind: .bind, source: self.configuration.dockerSocketPath, target: "/var/run/docker.sock"),
                .init(kind: .bind, source: workspace, target: workspace),
            ],
            networkMode: self.configuration.networkMode,
            memoryBytes: self.configuration.memoryBytes,
            nanoCPUs: self.configuration.nanoCPUs,
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
