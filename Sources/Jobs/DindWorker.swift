// slipway — Jobs
// SPDX-License-Identifier: Apache-2.0

/// Runs each job with a Docker daemon of its own (Docker-in-Docker): the daemon runs in a
/// container on the host's engine, and the job container runs beside it, unprivileged, with
/// the daemon's socket at `/var/run/docker.sock`. Nothing the job does through that socket
/// reaches the host's daemon, and the daemon and its data are deleted after the job.
///
/// A daemon is never used by a second job. With `warm > 0` ready daemons wait in a
/// ``DindWarmPool``; with the per-project cache a job gets a fresh daemon on its project's
/// ``DindLayerCache`` volume.
public struct DindWorker: Worker {
    public let kind = WorkerKind.dind
    public let configuration: DindWorkerConfiguration
    public let launcher: DindDaemonLauncher
    public let warmPool: DindWarmPool
    public let layerCache: DindLayerCache
    private let runtime: any ContainerRuntime
    private let workspaces: any WorkspaceManager

    public init(configuration: DindWorkerConfiguration, runtime: any ContainerRuntime, workspaces: any WorkspaceManager, directories: any DaemonDirectories) {
        self.configuration = configuration
        self.runtime = runtime
        self.workspaces = workspaces
        self.launcher = DindDaemonLauncher(configuration: configuration, runtime: runtime, directories: directories)
        self.warmPool = DindWarmPool(target: configuration.warm, launcher: self.launcher, workspaceRoot: configuration.workspaceRoot)
        self.layerCache = DindLayerCache(runtime: runtime, instance: configuration.instance,
                                         maximumBytes: configuration.cacheMaximumBytes, budgetBytes: configuration.cacheBudgetBytes)
    }

    private var containerRun: ContainerJobRun {
        ContainerJobRun(runtime: self.runtime, stopGracePeriod: self.configuration.stopGracePeriod)
    }

    public func run(_ execution: JobExecution) async -> JobOutcome {
        let job = execution.job
        guard let workspace = await self.workspaces.prepareWorkspace(for: execution) else {
            return .failed(.runnerSystemFailure, exitCode: nil)
        }
        var cacheVolume: String?
        if self.configuration.cache == .perProject, let project = job.specification.project {
            cacheVolume = await self.layerCache.lease(project: project)
            if cacheVolume == nil {
                await execution.note("the layer cache of project \(project) is in use by another of its jobs; this job runs on a fresh daemon without it")
            }
        }
        let daemon: DindDaemon
        let started = await execution.section("docker_daemon", "Starting the job's Docker daemon") {
            await self.daemon(for: job, workspace: workspace, cacheVolume: cacheVolume, execution: execution)
        }
        switch started {
        case .success(let ready):
            daemon = ready
        case .failure(let failure):
            if let cacheVolume { await self.layerCache.release(cacheVolume) }
            switch failure.kind {
            case .engineUnavailable:
                return .requeue(failure.message)
            case .canceled:
                await self.removeWorkspace(of: job)
                return .stopped
            case .daemonFailed:
                await self.removeWorkspace(of: job)
                return .failed(.runnerSystemFailure, exitCode: nil)
            }
        }
        let outcome = await self.containerRun.run(self.containerSpecification(for: job, workspace: workspace, daemon: daemon), for: execution)
        // The engine stopped answering while the job ran: its containers are left alone and
        // ``resume(_:containerID:)`` finishes the job (and removes the daemon) later.
        if case .lostContact = outcome { return outcome }
        await self.launcher.tearDown(daemon)
        if let cacheVolume { await self.releaseCache(cacheVolume, execution: execution) }
        if case .requeue = outcome {} else { await self.removeWorkspace(of: job) }
        return outcome
    }

    public func resume(_ execution: JobExecution, containerID: String) async -> JobOutcome {
        let job = execution.job
        let containers = (try? await self.runtime.containers(labeled: ContainerLabels.forJob(job.id, role: "job", instance: self.configuration.instance))) ?? []
        let daemonName = containers.first { $0.id == containerID }?.labels[ContainerLabels.daemon]
        let outcome = await self.containerRun.follow(containerID, for: execution, skipping: await execution.outputBytes())
        if case .lostContact = outcome { return outcome }
        if let daemonName, let cacheVolume = await self.launcher.tearDown(named: daemonName) {
            await self.releaseCache(cacheVolume, execution: execution)
        }
        await self.removeWorkspace(of: job)
        return outcome
    }

    /// After start-up reconciliation (which removed the daemons of jobs that are gone): removes
    /// socket directories of daemons that no longer exist, re-leases the caches of daemons
    /// whose jobs are followed again, and starts filling the warm pool.
    public func recover() async {
        let daemons = (try? await self.runtime.containers(labeled: ContainerLabels.forInstance(self.configuration.instance, role: "dind"))) ?? []
        let live = Set(daemons.compactMap { $0.labels[ContainerLabels.daemon].flatMap(DindDaemon.token(fromName:)) })
        for token in await self.launcher.directories.tokens() where !live.contains(token) {
            await self.launcher.directories.remove(token)
        }
        for daemon in daemons {
            if let volume = daemon.labels[ContainerLabels.cacheVolume] { await self.layerCache.adopt(volume) }
        }
        await self.warmPool.start()
    }

    /// Stops refilling the warm pool and removes its ready daemons (graceful shutdown).
    public func shutdown() async {
        await self.warmPool.shutdown()
    }

    /// A ready daemon: a warm one when the job uses no cache, else a fresh one, retried on a
    /// fresh daemon up to `startAttempts` times. Failures are noted in the job log with the
    /// daemon's last lines of output.
    private func daemon(for job: Job, workspace: String, cacheVolume: String?, execution: JobExecution) async -> Result<DindDaemon, DindStartFailure> {
        let clock = ContinuousClock()
        let started = clock.now
        if cacheVolume == nil, let root = self.configuration.workspaceRoot, workspace.hasPrefix(root + "/"), let daemon = await self.warmPool.take() {
            await execution.note("using warm Docker daemon \(daemon.name)")
            return .success(daemon)
        }
        var request = DindDaemonLauncher.Request(job: job.id, workspace: workspace)
        if let cacheVolume, let project = job.specification.project { request.cache = (cacheVolume, project) }
        var lastFailure = DindStartFailure(.daemonFailed, "no attempt to start a Docker daemon was made (workers.dind.start_attempts)")
        for attempt in 1...max(1, self.configuration.startAttempts) {
            switch await self.launcher.launch(request) {
            case .success(let daemon):
                let elapsed = clock.now - started
                let what = cacheVolume.map { "on layer cache \($0)" } ?? "without a layer cache"
                await execution.note("started Docker daemon \(daemon.name) \(what) in \(Self.format(elapsed))")
                return .success(daemon)
            case .failure(let failure):
                if failure.kind != .daemonFailed { return .failure(failure) }
                lastFailure = failure
                let retry = attempt < self.configuration.startAttempts ? "; trying a fresh daemon" : ""
                await execution.note("the job's Docker daemon failed to start (attempt \(attempt)): \(failure.message)\(retry)")
                if !failure.daemonOutput.isEmpty {
                    await execution.note("the daemon's last lines of output:")
                    await execution.log(failure.daemonOutput)
                    if failure.daemonOutput.last != 0x0A { await execution.log([0x0A]) }
                }
            }
        }
        await execution.note("no Docker daemon could be started for this job; this is a failure of slipway's host, not of the job (runner_system_failure)")
        return .failure(lastFailure)
    }

    /// The daemon's containers wrote the workspace as root: the dind image, which runs as root,
    /// empties what slipway may not.
    private func removeWorkspace(of job: Job) async {
        let image = self.configuration.image
        await self.workspaces.removeWorkspace(for: job.id, runtime: self.runtime, instance: self.configuration.instance) { image }
    }

    private func releaseCache(_ volume: String, execution: JobExecution) async {
        let removed = await self.layerCache.release(volume)
        if removed.contains(volume) {
            await execution.note("the layer cache \(volume) outgrew workers.dind.cache_max_size and was deleted; the next job starts without it")
        }
    }

    /// The job container: the script under `sh -e`, the job's own daemon's socket at the
    /// standard path, the workspace at the same absolute path as on the host (and in the
    /// daemon), never privileged.
    public func containerSpecification(for job: Job, workspace: String, daemon: DindDaemon) -> ContainerSpecification {
        var labels = ContainerLabels.forJob(job.id, role: "job", instance: self.configuration.instance)
        labels[ContainerLabels.daemon] = daemon.name
        return ContainerSpecification(
            name: "slipway-job-\(job.id)-\(self.configuration.instance.prefix(8))",
            image: job.specification.image,
            entrypoint: ["/bin/sh", "-e", "-c"],
            command: [JobScript.program(for: job.specification.script, workingDirectory: workspace)],
            environment: JobEnvironment.variables(for: job, workspace: workspace),
            workingDirectory: workspace,
            labels: labels,
            mounts: [
                .init(kind: .bind, source: daemon.socketPath, target: "/var/run/docker.sock"),
                .init(kind: .bind, source: workspace, target: workspace),
            ],
            networkMode: self.configuration.networkMode,
            memoryBytes: self.configuration.memoryBytes,
            nanoCPUs: self.configuration.nanoCPUs,
            initProcess: true
        )
    }

    static func format(_ duration: Duration) -> String {
        let milliseconds = Int(duration.components.seconds) * 1000 + Int(duration.components.attoseconds / 1_000_000_000_000_000)
        let hundredths = (milliseconds % 1000) / 10
        return "\(milliseconds / 1000).\(hundredths < 10 ? "0" : "")\(hundredths) s"
    }
}
