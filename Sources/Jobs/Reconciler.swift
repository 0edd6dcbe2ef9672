// slipway — Jobs
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials

/// Brings the store and the engine back into agreement when slipway starts, so no job stays
/// `running` forever and nothing slipway created is left behind.
///
/// - A job left `running` whose container still runs is followed again; one whose container
///   has exited gets its real exit status; one whose container is gone is failed with
///   `runner_system_failure` and a log line saying why.
/// - `pending` jobs are queued again (a container created for one but never started is removed).
/// - Containers and workspaces of this installation that belong to no live job are removed,
///   and with them orphaned dind daemons (a warm daemon, or the daemon of a job that is gone)
///   and their data volumes, and the containers, networks and volumes a gone job created
///   through its guarded Docker socket (each with a line in that job's log). The daemon of a job followed again stays: its job container
///   names it in its `slipway.daemon` label. Layer-cache volumes are kept.
public struct Reconciler: Sendable {
    public var store: any JobStore
    public var logs: any LogStore
    public var runtime: any ContainerRuntime
    public var workspaces: any WorkspaceManager
    public var instance: String
    /// The dind pool's image, which empties what a dind job left in its workspace; nil
    /// without a dind pool.
    public var dindImage: String?

    public init(store: any JobStore, logs: any LogStore, runtime: any ContainerRuntime, workspaces: any WorkspaceManager, instance: String,
                dindImage: String? = nil) {
        self.store = store
        self.logs = logs
        self.runtime = runtime
        self.workspaces = workspaces
        self.instance = instance
        self.dindImage = dindImage
    }

    /// What reconciliation did, for the start-up log.
    public struct Report: Sendable, Hashable {
        public var resumed: [JobID] = []
        public var finishedWhileDown: [JobID] = []
        public var lost: [JobID] = []
        public var requeued: [JobID] = []
        public var removedContainers: [String] = []
        public var removedWorkspaces: [JobID] = []
        public var removedVolumes: [String] = []
        public var removedNetworks: [String] = []
    }

    /// Reconciles, handing resumed and requeued jobs to `scheduler`.
    public func reconcile(into scheduler: Scheduler) async throws -> Report {
        var report = Report()
        let containers = try await self.runtime.containers(labeled: [ContainerLabels.managed: "true", ContainerLabels.instance: self.instance])
        var containersByJob: [JobID: [ContainerSummary]] = [:]
        for container in containers {
            if let text = container.labels[ContainerLabels.job], let id = JobID(text) {
                containersByJob[id, default: []].append(container)
            }
        }
        var liveJobs: Set<JobID> = []
        for job in try await self.store.jobs(withStatus: [.running]) {
            let jobContainer = containersByJob[job.id]?.first { $0.labels[ContainerLabels.role] == "job" && $0.id == (job.containerID ?? $0.id) }
            if let jobContainer, jobContainer.isRunning {
                await self.logs.appendNote("slipway restarted; following the job again (output written while it was down may be missing or repeated)", to: job.id)
                await scheduler.resume(job, containerID: jobContainer.id)
                liveJobs.insert(job.id)
                report.resumed.append(job.id)
            } else if let jobContainer, let state = try? await self.runtime.state(of: jobContainer.id), let exitCode = state.exitCode {
                await self.logs.appendNote("slipway restarted; the job finished while it was down, with exit code \(exitCode)", to: job.id)
                let event: JobEvent = exitCode == 0 ? .succeed : .fail(.scriptFailure, exitCode: exitCode)
                _ = try? await self.store.apply(event, to: job.id, at: Date())
                await self.logs.finish(job.id)
                report.finishedWhileDown.append(job.id)
            } else {
                await self.logs.appendNote("slipway restarted and the job's container is gone; marking it failed (runner_system_failure)", to: job.id)
                _ = try? await self.store.apply(.fail(.runnerSystemFailure, exitCode: nil), to: job.id, at: Date())
                await self.logs.finish(job.id)
                report.lost.append(job.id)
            }
        }
        // The per-job daemons of jobs followed again stay: a warm daemon gets its job after it
        // was created, so the link is the job container's `slipway.daemon` label.
        var liveDaemons: Set<String> = []
        for container in containers where container.labels[ContainerLabels.role] == "job" {
            if let owner = container.labels[ContainerLabels.job].flatMap({ JobID($0) }), liveJobs.contains(owner),
               let daemon = container.labels[ContainerLabels.daemon] {
                liveDaemons.insert(daemon)
            }
        }
        // Everything else labelled as ours belongs to no live job; clean up before pending jobs
        // are queued again, so their new workspaces and containers are not mistaken for debris.
        var notified: Set<JobID> = []
        for container in containers {
            let owner = container.labels[ContainerLabels.job].flatMap { JobID($0) }
            if let owner, liveJobs.contains(owner) { continue }
            if let daemon = container.labels[ContainerLabels.daemon], liveDaemons.contains(daemon) { continue }
            try? await self.runtime.removeContainer(container.id)
            report.removedContainers.append(container.id)
            if let owner, container.labels[ContainerLabels.role] == ContainerLabels.guardedRole {
                let name = container.name.map { "\($0) (\(container.id.prefix(12)))" } ?? String(container.id.prefix(12))
                await self.logs.appendNote("slipway restarted; removed container \(name), which the job left behind", to: owner)
                notified.insert(owner)
            }
        }
        // What jobs that are gone created through their guarded sockets.
        let guarded = ContainerLabels.forInstance(self.instance, role: ContainerLabels.guardedRole)
        for network in (try? await self.runtime.networks(labeled: guarded)) ?? [] {
            guard let owner = network.labels[ContainerLabels.job].flatMap({ JobID($0) }), !liveJobs.contains(owner) else { continue }
            try? await self.runtime.removeNetwork(network.id)
            report.removedNetworks.append(network.name)
            await self.logs.appendNote("slipway restarted; removed network \(network.name), which the job left behind", to: owner)
            notified.insert(owner)
        }
        for volume in (try? await self.runtime.volumes(labeled: guarded)) ?? [] {
            guard let owner = volume.labels[ContainerLabels.job].flatMap({ JobID($0) }), !liveJobs.contains(owner) else { continue }
            try? await self.runtime.removeVolume(volume.name)
            report.removedVolumes.append(volume.name)
            await self.logs.appendNote("slipway restarted; removed volume \(volume.name), which the job left behind", to: owner)
            notified.insert(owner)
        }
        // A finished job's log is closed again after its notes.
        for owner in notified { await self.logs.finish(owner) }
        // Daemons' data volumes go with their daemons; layer caches (role `cache`) are kept.
        let volumes = (try? await self.runtime.volumes(labeled: ContainerLabels.forInstance(self.instance, role: "dind-data"))) ?? []
        for volume in volumes {
            if let daemon = volume.labels[ContainerLabels.daemon], liveDaemons.contains(daemon) { continue }
            try? await self.runtime.removeVolume(volume.name)
            report.removedVolumes.append(volume.name)
        }
        for id in await self.workspaces.workspaces() where !liveJobs.contains(id) {
            // What the worker's own cleanup could not empty (the engine was away then) is
            // emptied by the same kind of container now.
            let reconciler = self
            await self.workspaces.removeWorkspace(for: id, runtime: self.runtime, instance: self.instance) {
                await reconciler.cleanupImage(for: id)
            }
            report.removedWorkspaces.append(id)
        }
        for job in try await self.store.jobs(withStatus: [.pending]) {
            await scheduler.submit(job)
            report.requeued.append(job.id)
        }
        return report
    }

    /// The image whose container may empty job `id`'s workspace: the dind pool's for a dind job,
    /// the job's own otherwise.
    private func cleanupImage(for id: JobID) async -> String? {
        guard let job = try? await self.store.job(id) else { return nil }
        return job.specification.worker == .dind ? self.dindImage : job.specification.image
    }
}
