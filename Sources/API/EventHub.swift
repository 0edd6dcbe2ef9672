// slipway — API
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import HTTP
import Jobs
import Logging
import Synchronization

/// Turns job status changes into recorded events and delivers them: to `/v1/events`
/// subscribers, to long-polling `GET /v1/jobs/{id}?wait=` callers, and to metrics.
///
/// Changes are recorded in the store before anyone sees them (so `Last-Event-ID` can resume
/// from the store), in batches that share one commit, by a single drain task — so events reach
/// every subscriber in id order. A job change that moves its pipeline's aggregate status also
/// records a pipeline event.
public final class EventHub: Sendable {
    /// The `api.events` settings.
    public struct Settings: Sendable {
        /// How long events stay in the store for `Last-Event-ID` resumes.
        public var retention: Duration = .seconds(24 * 3600)
        /// How often an idle stream gets a comment line.
        public var heartbeatInterval: Duration = .seconds(15)
        /// Events a subscriber may fall behind before it is disconnected (it then resumes).
        public var subscriberCapacity = 10_000
        public init() {}
    }

    /// A registration for one job's next change (long-poll).
    public struct Watch: Sendable {
        let jobID: JobID
        let id: UInt64
    }

    private struct Watcher {
        var fired = false
        var continuation: CheckedContinuation<Bool, Never>?
    }

    private struct State {
        var pending: [Job] = []
        /// Pipelines whose status may have moved without a job change.
        var pendingPipelines: Set<Int64> = []
        var draining = false
        var subscribers: [UInt64: EventSubscription] = [:]
        var watchers: [JobID: [UInt64: Watcher]] = [:]
        /// The last published status of pipelines that have not finished.
        var pipelineStatuses: [Int64: PipelineStatus] = [:]
        var lastPublishedID: Int64 = 0
        var nextID: UInt64 = 1
    }

    public let settings: Settings
    private let catalog: any JobCatalog
    private let logger: Logger
    private let onJobChange: @Sendable (Job) -> Void
    private let state = Mutex(State())
    private let maintenance = Mutex<[Task<Void, Never>]>([])

    /// - Parameter onJobChange: also told of every job change (metrics).
    public init(catalog: any JobCatalog, settings: Settings = Settings(), logger: Logger, onJobChange: @escaping @Sendable (Job) -> Void = { _ in }) {
        self.catalog = catalog
        self.settings = settings
        self.logger = logger
        self.onJobChange = onJobChange
    }

    /// Starts heartbeats and the pruning of old events.
    public func start() {
        let heartbeat = Task { [weak self] in
            while !Task.isCancelled {
                guard let interval = self?.settings.heartbeatInterval else { return }
                try? await Task.sleep(for: interval)
                self?.broadcast(.heartbeat)
            }
        }
        let prune = Task { [weak self] in
            while !Task.isCancelled {
                guard let self else { return }
                let retention = self.settings.retention
                let cutoff = Date().addingTimeInterval(-Double(retention.components.seconds))
                do {
                    let removed = try await self.catalog.pruneChanges(before: cutoff)
                    if removed > 0 { self.logger.debug("pruned events", metadata: ["count": "\(removed)"]) }
                } catch {
                    self.logger.warning("cannot prune old events", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: min(.seconds(60), retention))
            }
        }
        self.maintenance.withLock { $0 += [heartbeat, prune] }
    }

    /// Stops the maintenance tasks and ends every subscription.
    public func stop() {
        for task in self.maintenance.withLock({ $0 }) { task.cancel() }
        let subscribers = self.state.withLock { Array($0.subscribers.values) }
        for subscriber in subscribers { subscriber.close() }
    }

    // MARK: - Publishing

    /// Records and delivers a change of `job` (from the scheduler's `onChange`, submissions and
    /// retries). Returns at once; delivery follows the commit.
    public func jobChanged(_ job: Job) {
        self.onJobChange(job)
        let startDrain = self.state.withLock { state -> Bool in
            state.pending.append(job)
            if state.draining { return false }
            state.draining = true
            return true
        }
        if startDrain { Task { await self.drain() } }
    }

    /// Records and delivers a pipeline's status if it moved without a job changing (a
    /// configuration error settled it, a newer pipeline canceled it).
    public func pipelineChanged(_ pipelineID: Int64) {
        let startDrain = self.state.withLock { state -> Bool in
            state.pendingPipelines.insert(pipelineID)
            if state.draining { return false }
            state.draining = true
            return true
        }
        if startDrain { Task { await self.drain() } }
    }

    private func drain() async {
        while true {
            let (batch, pipelines) = self.state.withLock { state -> ([Job], Set<Int64>) in
                let batch = state.pending
                let pipelines = state.pendingPipelines
                state.pending.removeAll()
                state.pendingPipelines.removeAll()
                if batch.isEmpty && pipelines.isEmpty { state.draining = false }
                return (batch, pipelines)
            }
            if batch.isEmpty && pipelines.isEmpty { return }
            var changes = batch.map(Self.change(for:))
            changes += await self.pipelineChanges(for: Set(batch.compactMap(\.specification.pipelineID)).union(pipelines))
            do {
                let recorded = try await self.catalog.appendChanges(changes)
                self.publish(recorded)
            } catch {
                self.logger.error("cannot record job events; subscribers miss them", metadata: ["error": "\(error)", "count": "\(changes.count)"])
            }
        }
    }

    static func change(for job: Job) -> StateChange {
        let data = String(decoding: JobRepresentation.json(JobSummary(job)), as: UTF8.self)
        return StateChange(
            subject: .job, jobID: job.id, pipelineID: job.specification.pipelineID, status: job.status.rawValue,
            worker: job.specification.worker, project: job.specification.project, ref: job.specification.ref, time: Date(), data: data
        )
    }

    /// Pipeline events for the pipelines of `batch` whose aggregate status moved.
    private func pipelineChanges(for ids: Set<Int64>) async -> [StateChange] {
        let pipelineIDs = ids.sorted()
        guard !pipelineIDs.isEmpty else { return [] }
        do {
            let jobsByPipeline = try await self.catalog.jobs(inPipelines: pipelineIDs)
            var changes: [StateChange] = []
            for id in pipelineIDs {
                let jobs = jobsByPipeline[id] ?? []
                guard let pipeline = try await self.catalog.pipeline(id) else { continue }
                let status = pipeline.status(of: jobs)
                let previous = self.state.withLock { state -> PipelineStatus? in
                    let previous = state.pipelineStatuses[id]
                    if status.isFinished { state.pipelineStatuses[id] = nil } else { state.pipelineStatuses[id] = status }
                    return previous
                }
                guard previous != status else { continue }
                let representation = PipelineRepresentation(pipeline, jobs: jobs, includeJobs: false)
                let data = (try? JSONCoding.encode(representation)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
                changes.append(StateChange(
                    subject: .pipeline, jobID: nil, pipelineID: id, status: status.rawValue, worker: nil,
                    project: pipeline.project, ref: pipeline.ref, time: Date(), data: data
                ))
            }
            return changes
        } catch {
            self.logger.warning("cannot compute pipeline statuses for events", metadata: ["error": "\(error)"])
            return []
        }
    }

    private func publish(_ changes: [StateChange]) {
        guard !changes.isEmpty else { return }
        let (subscribers, woken) = self.state.withLock { state -> ([EventSubscription], [CheckedContinuation<Bool, Never>]) in
            state.lastPublishedID = max(state.lastPublishedID, changes.last!.id)
            var woken: [CheckedContinuation<Bool, Never>] = []
            for change in changes where change.subject == .job {
                guard let jobID = change.jobID, var watchers = state.watchers[jobID] else { continue }
                for (id, watcher) in watchers {
                    if let continuation = watcher.continuation {
                        woken.append(continuation)
                        watchers[id] = nil
                    } else {
                        watchers[id]?.fired = true
                    }
                }
                state.watchers[jobID] = watchers.isEmpty ? nil : watchers
            }
            return (Array(state.subscribers.values), woken)
        }
        for continuation in woken { continuation.resume(returning: true) }
        for subscriber in subscribers {
            for change in changes { subscriber.push(.change(change)) }
        }
    }

    private func broadcast(_ delivery: EventSubscription.Delivery) {
        for subscriber in self.state.withLock({ Array($0.subscribers.values) }) { subscriber.push(delivery) }
    }

    // MARK: - Subscribing

    /// A new subscription to every event published from now on.
    public func subscribe() -> EventSubscription {
        self.state.withLock { state in
            let id = state.nextID
            state.nextID += 1
            let subscription = EventSubscription(id: id, capacity: self.settings.subscriberCapacity) { [weak self] id in
                _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
            }
            state.subscribers[id] = subscription
            return subscription
        }
    }

    /// How many subscriptions are open (metrics, tests).
    public var subscriberCount: Int { self.state.withLock { $0.subscribers.count } }

    /// Long polls waiting for a change of job `id`.
    public func watcherCount(of id: JobID) -> Int { self.state.withLock { $0.watchers[id]?.count ?? 0 } }

    /// The id of the newest event delivered so far.
    public var lastPublishedID: Int64 { self.state.withLock { $0.lastPublishedID } }

    /// Recorded events after `id`, oldest first (`Last-Event-ID` resumes).
    public func recorded(after id: Int64, limit: Int) async throws -> [StateChange] {
        try await self.catalog.changes(after: id, limit: limit)
    }

    // MARK: - Long-poll

    /// Registers interest in job `id`'s next change. Register before reading the job, so a
    /// change between the read and the wait is not missed.
    public func watch(_ id: JobID) -> Watch {
        self.state.withLock { state in
            let watchID = state.nextID
            state.nextID += 1
            state.watchers[id, default: [:]][watchID] = Watcher()
            return Watch(jobID: id, id: watchID)
        }
    }

    /// Waits until the watched job changes (`true`) or `timeout` passes (`false`). Consumes the
    /// watch.
    public func wait(_ watch: Watch, timeout: Duration) async -> Bool {
        let expiry = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            guard !Task.isCancelled else { return }
            self?.finish(watch, changed: false)
        }
        defer { expiry.cancel() }
        return await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let fired = self.state.withLock { state -> Bool? in
                guard let watcher = state.watchers[watch.jobID]?[watch.id] else { return false }
                if watcher.fired {
                    state.watchers[watch.jobID]?[watch.id] = nil
                    return true
                }
                state.watchers[watch.jobID]?[watch.id]?.continuation = continuation
                return nil
            }
            if let fired { continuation.resume(returning: fired) }
        }
    }

    /// Drops a watch that will not be waited for.
    public func cancel(_ watch: Watch) {
        self.finish(watch, changed: false)
    }

    private func finish(_ watch: Watch, changed: Bool) {
        let continuation = self.state.withLock { state -> CheckedContinuation<Bool, Never>? in
            guard let watcher = state.watchers[watch.jobID]?.removeValue(forKey: watch.id) else { return nil }
            if state.watchers[watch.jobID]?.isEmpty == true { state.watchers[watch.jobID] = nil }
            return watcher.continuation
        }
        continuation?.resume(returning: changed)
    }
}
