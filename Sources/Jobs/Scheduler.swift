// slipway — Jobs
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials

/// Decides when each job runs: a FIFO queue per worker pool, a concurrency limit per pool and
/// optionally per project, cancellation and timeouts.
///
/// A job starts the moment a slot is free — on submission and on every completion, never on a
/// polling interval. While the Docker engine is unreachable nothing starts; jobs wait
/// `pending` and start when it comes back.
public actor Scheduler {
    /// A pool of identical worker slots.
    public struct Pool: Sendable {
        public var worker: any Worker
        public var concurrency: Int

        public init(worker: any Worker, concurrency: Int) {
            self.worker = worker
            self.concurrency = concurrency
        }
    }

    /// A pool's state, for `/v1/workers` and metrics.
    public struct PoolSnapshot: Sendable, Hashable {
        public var kind: WorkerKind
        public var concurrency: Int
        public var busy: Int
        public var pending: Int

        public init(kind: WorkerKind, concurrency: Int, busy: Int, pending: Int) {
            self.kind = kind
            self.concurrency = concurrency
            self.busy = busy
            self.pending = pending
        }
    }

    /// Why a running job's task was canceled.
    private enum StopReason: Sendable {
        case user
        case timeout(Duration)
        case autoCanceled
    }

    private struct RunningJob {
        var task: Task<Void, Never>
        var timer: Task<Void, Never>?
        var kind: WorkerKind
        var project: String?
        var stopReason: StopReason?
    }

    private let store: any JobStore
    private let logs: any LogStore
    private var pools: [WorkerKind: Pool]
    private let perProjectLimit: Int?
    private var queue = JobQueue()
    private var running: [JobID: RunningJob] = [:]
    private var isEngineAvailable = true
    private var isShuttingDown = false
    private let onChange: @Sendable (Job) -> Void
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []
    /// Running jobs whose engine stopped answering, with their containers: followed again when
    /// it answers.
    private var detached: [(job: Job, containerID: String)] = []

    /// - Parameter onChange: called with every job whose status changed (events, metrics).
    /// - Parameter engineAvailable: whether jobs may start before the first
    ///   ``setEngineAvailable(_:)``. A server passes `false`: nothing starts until the engine
    ///   answered and start-up reconciliation, which removes containers and workspaces of jobs
    ///   it does not know to be running, is over.
    public init(store: any JobStore, logs: any LogStore, pools: [WorkerKind: Pool], perProjectLimit: Int? = nil,
                engineAvailable: Bool = true, onChange: @escaping @Sendable (Job) -> Void = { _ in }) {
        self.isEngineAvailable = engineAvailable
        self.store = store
        self.logs = logs
        self.pools = pools
        self.perProjectLimit = perProjectLimit
        self.onChange = onChange
    }

    // MARK: - Queue

    /// Queues a `pending` job (already recorded in the store) and starts it if a slot is free.
    /// A job already queued or running is left as it is: the API and the reconciler may both
    /// hand over a job submitted while the engine was away.
    public func submit(_ job: Job) {
        guard job.status == .pending, self.running[job.id] == nil, self.queue.append(job) else { return }
        self.dispatch()
    }

    /// Cancels a pending or running job. A pending job is canceled at once; a running one is
    /// stopped (SIGTERM, grace period, SIGKILL) and reported `canceled` when its container is
    /// gone. Throws ``IllegalTransition`` for a finished job.
    @discardableResult
    public func cancel(_ id: JobID, reason: FailureReason = .canceledByUser) async throws -> Job {
        if var entry = self.running[id] {
            if entry.stopReason == nil {
                entry.stopReason = reason == .autoCanceled ? .autoCanceled : .user
                self.running[id] = entry
                entry.task.cancel()
            }
            guard let job = try await self.store.job(id) else { throw IllegalTransition(from: .running, event: .cancel(reason)) }
            return job
        }
        self.queue.remove(id)
        let job = try await self.store.apply(.cancel(reason), to: id, at: Date())
        self.onChange(job)
        await self.logs.appendNote("canceled before it started", to: id)
        await self.logs.finish(id)
        return job
    }

    /// Tells the scheduler whether the engine answers; jobs start only while it does.
    public func setEngineAvailable(_ available: Bool) {
        guard available != self.isEngineAvailable else { return }
        self.isEngineAvailable = available
        guard available, !self.isShuttingDown else { return }
        let detached = self.detached
        self.detached.removeAll()
        for (job, containerID) in detached { self.resume(job, containerID: containerID) }
        self.dispatch()
    }

    public var engineAvailable: Bool { self.isEngineAvailable }

    /// Follows a job whose container survived a restart (see ``Reconciler``); it holds a slot
    /// of its pool like any running job.
    public func resume(_ job: Job, containerID: String) {
        guard let pool = self.pools[job.specification.worker], self.running[job.id] == nil else { return }
        self.launch(job, pool: pool) { worker, execution in
            await worker.resume(execution, containerID: containerID)
        }
    }

    /// Stops starting jobs. Running jobs are left alone: their containers keep running and a
    /// restarted slipway reattaches to them.
    public func shutdown() {
        self.isShuttingDown = true
    }

    /// Each pool's concurrency, busy slots and queue length.
    public func snapshot() -> [PoolSnapshot] {
        self.pools.keys.sorted { $0.rawValue < $1.rawValue }.map { kind in
            PoolSnapshot(
                kind: kind, concurrency: self.pools[kind]!.concurrency,
                busy: self.running.values.filter { $0.kind == kind }.count,
                pending: self.queue.jobs(for: kind).count
            )
        }
    }

    /// Suspends until no job is queued or running (tests and benchmarks).
    public func waitUntilIdle() async {
        if self.running.isEmpty && self.queue.isEmpty && self.detached.isEmpty { return }
        await withCheckedContinuation { self.idleWaiters.append($0) }
    }

    // MARK: - Dispatch

    private func dispatch() {
        guard self.isEngineAvailable, !self.isShuttingDown else { return }
        for (kind, pool) in self.pools {
            while self.running.values.filter({ $0.kind == kind }).count < pool.concurrency,
                  let index = self.nextStartable(in: kind)
            {
                let job = self.queue.remove(at: index, for: kind)
                self.launch(job, pool: pool) { worker, execution in await worker.run(execution) }
            }
        }
    }

    /// The first queued job whose project is under its limit (FIFO otherwise).
    private func nextStartable(in kind: WorkerKind) -> Int? {
        let queue = self.queue.jobs(for: kind)
        guard !queue.isEmpty else { return nil }
        guard let limit = self.perProjectLimit else { return 0 }
        var perProject: [String: Int] = [:]
        for entry in self.running.values { if let project = entry.project { perProject[project, default: 0] += 1 } }
        return queue.firstIndex { job in
            guard let project = job.specification.project else { return true }
            return perProject[project, default: 0] < limit
        }
    }

    private func launch(_ job: Job, pool: Pool, body: @escaping @Sendable (any Worker, JobExecution) async -> JobOutcome) {
        let execution = self.makeExecution(for: job)
        let worker = pool.worker
        let task = Task { [weak self] in
            let outcome = await body(worker, execution)
            await self?.completed(job, outcome: outcome)
        }
        let timeout = job.specification.timeout
        let timer = Task { [weak self] in
            do {
                try await Task.sleep(for: timeout)
            } catch {
                return
            }
            await self?.timedOut(job.id, after: timeout)
        }
        self.running[job.id] = RunningJob(task: task, timer: timer, kind: job.specification.worker, project: job.specification.project)
    }

    private func makeExecution(for job: Job) -> JobExecution {
        let store = self.store
        let logs = self.logs
        let onChange = self.onChange
        let id = job.id
        return JobExecution(
            job: job,
            log: { bytes in await logs.append(bytes, to: id) },
            note: { text in await logs.appendNote(text, to: id) },
            started: { containerID in
                do {
                    try await store.setContainer(containerID, for: id)
                    let updated = try await store.apply(.start, to: id, at: Date())
                    onChange(updated)
                } catch {
                    await logs.appendNote("cannot record that the job started: \(error)", to: id)
                }
            },
            created: { containerID in
                try? await store.setContainer(containerID, for: id)
            },
            outputBytes: { await logs.outputBytes(of: id) }
        )
    }

    private func timedOut(_ id: JobID, after timeout: Duration) {
        guard var entry = self.running[id], entry.stopReason == nil else { return }
        entry.stopReason = .timeout(timeout)
        self.running[id] = entry
        entry.task.cancel()
    }

    private func completed(_ job: Job, outcome: JobOutcome) async {
        let entry = self.running.removeValue(forKey: job.id)
        entry?.timer?.cancel()
        let event: JobEvent
        switch (outcome, entry?.stopReason) {
        case (.requeue(let reason), nil):
            // The engine went away before the job started: it waits for the engine to return.
            self.isEngineAvailable = false
            await self.logs.appendNote("waiting for the Docker engine: \(reason)", to: job.id)
            if let updated = try? await self.store.apply(.requeue, to: job.id, at: Date()) {
                self.queue.prepend(updated)
            }
            self.afterCompletion()
            return
        case (.lostContact(let reason), nil):
            self.isEngineAvailable = false
            if !self.isShuttingDown {
                await self.logs.appendNote("lost contact with the Docker engine (\(reason)); following the job again when it answers", to: job.id)
                if let current = try? await self.store.job(job.id), let containerID = current.containerID {
                    self.detached.append((current, containerID))
                }
            }
            self.afterCompletion()
            return
        case (_, .timeout(let timeout)?):
            await self.logs.appendNote("the job exceeded its timeout of \(Int(timeout.seconds)) s and was stopped", to: job.id)
            event = .fail(.jobExecutionTimeout, exitCode: nil)
        case (_, .user?):
            await self.logs.appendNote("the job was canceled", to: job.id)
            event = .cancel(.canceledByUser)
        case (_, .autoCanceled?):
            await self.logs.appendNote("the job was canceled by a newer pipeline for the same ref", to: job.id)
            event = .cancel(.autoCanceled)
        case (.succeeded, nil):
            event = .succeed
        case (.failed(let reason, let exitCode), nil):
            if reason == .scriptFailure, let exitCode { await self.logs.appendNote("the job failed: exit code \(exitCode)", to: job.id) }
            event = .fail(reason, exitCode: exitCode)
        case (.stopped, nil):
            event = .fail(.runnerSystemFailure, exitCode: nil)
        case (.requeue, _?), (.lostContact, _?):
            event = .cancel(.canceledByUser)
        }
        do {
            let updated = try await self.store.apply(event, to: job.id, at: Date())
            self.onChange(updated)
        } catch {
            await self.logs.appendNote("cannot record the job's outcome: \(error)", to: job.id)
        }
        await self.logs.finish(job.id)
        self.afterCompletion()
    }

    private func afterCompletion() {
        self.dispatch()
        if self.running.isEmpty && self.queue.isEmpty && self.detached.isEmpty {
            let waiters = self.idleWaiters
            self.idleWaiters.removeAll()
            for waiter in waiters { waiter.resume() }
        }
    }
}
