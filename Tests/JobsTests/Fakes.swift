// slipway — Jobs tests
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import Jobs
import Synchronization

/// An in-memory ``JobStore`` for scheduling unit tests (the real store is tested on SQLite).
final class InMemoryJobStore: JobStore {
    private let jobs = Mutex<[JobID: Job]>([:])
    private let nextID = Atomic<Int64>(1)

    func insert(_ specification: JobSpecification, status: JobStatus, at time: Date) async throws -> Job {
        let id = JobID(self.nextID.wrappingAdd(1, ordering: .relaxed).oldValue)
        let job = Job(id: id, specification: specification, status: status, createdAt: time)
        self.jobs.withLock { $0[id] = job }
        return job
    }

    func job(_ id: JobID) async throws -> Job? { self.jobs.withLock { $0[id] } }

    func apply(_ event: JobEvent, to id: JobID, at time: Date) async throws -> Job {
        try self.jobs.withLock { jobs in
            guard var job = jobs[id] else { throw IllegalTransition(from: .created, event: event) }
            try job.apply(event, at: time).get()
            jobs[id] = job
            return job
        }
    }

    func setContainer(_ containerID: String?, for id: JobID) async throws {
        self.jobs.withLock { $0[id]?.containerID = containerID }
    }

    func jobs(withStatus statuses: Set<JobStatus>) async throws -> [Job] {
        self.jobs.withLock { $0.values.filter { statuses.contains($0.status) }.sorted { $0.id < $1.id } }
    }
}

/// An in-memory ``LogStore``.
final class InMemoryLogStore: LogStore {
    private let logs = Mutex<[JobID: [UInt8]]>([:])
    private let finished = Mutex<Set<JobID>>([])
    private let outputs = Mutex<[JobID: Int]>([:])

    func append(_ bytes: [UInt8], to id: JobID) async {
        self.logs.withLock { $0[id, default: []].append(contentsOf: bytes) }
        self.outputs.withLock { $0[id, default: 0] += bytes.count }
    }
    func appendNote(_ text: String, to id: JobID) async { self.logs.withLock { $0[id, default: []].append(contentsOf: Array("[slipway] \(text)\n".utf8)) } }
    func outputBytes(of id: JobID) async -> Int { self.outputs.withLock { $0[id] ?? 0 } }
    func finish(_ id: JobID) async { _ = self.finished.withLock { $0.insert(id) } }
    func read(_ id: JobID, from offset: Int, maximum: Int) async throws -> LogChunk {
        let bytes = self.logs.withLock { $0[id] ?? [] }
        let slice = Array(bytes.dropFirst(offset).prefix(maximum))
        return LogChunk(bytes: slice, nextOffset: offset + slice.count)
    }
    func isFinished(_ id: JobID) -> Bool? { self.finished.withLock { $0.contains(id) } }
    func waitForAppend(to id: JobID, after offset: Int, timeout: Duration) async { try? await Task.sleep(for: .milliseconds(10)) }

    func text(_ id: JobID) -> String { String(decoding: self.logs.withLock { $0[id] ?? [] }, as: UTF8.self) }

    func times(of id: JobID) async throws -> [LogTime] { [] }
}

/// A worker whose jobs run until the test releases them (or their task is canceled).
final class GatedWorker: Worker {
    let kind: WorkerKind
    private let state = Mutex<(running: [JobID], started: [JobID], gates: [JobID: CheckedContinuation<JobOutcome, Never>], outcomes: [JobID: JobOutcome])>(([], [], [:], [:]))

    init(kind: WorkerKind) { self.kind = kind }

    /// Jobs running now, and every job ever started, in start order.
    var running: [JobID] { self.state.withLock { $0.running } }
    var started: [JobID] { self.state.withLock { $0.started } }

    func run(_ execution: JobExecution) async -> JobOutcome {
        let id = execution.job.id
        self.state.withLock { $0.running.append(id); $0.started.append(id) }
        let outcome = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = self.state.withLock { state -> JobOutcome? in
                    if let outcome = state.outcomes.removeValue(forKey: id) { return outcome }
                    state.gates[id] = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            self.finish(id, with: .stopped)
        }
        // Like a real worker, a job counts as started only once its container ran.
        switch outcome {
        case .requeue, .stopped: break
        default: await execution.started("container-\(id)")
        }
        self.state.withLock { $0.running.removeAll { $0 == id } }
        return outcome
    }

    func resume(_ execution: JobExecution, containerID: String) async -> JobOutcome { await self.run(execution) }

    /// Ends job `id` with `outcome` (now, or as soon as it starts).
    func finish(_ id: JobID, with outcome: JobOutcome) {
        let gate = self.state.withLock { state -> CheckedContinuation<JobOutcome, Never>? in
            if let gate = state.gates.removeValue(forKey: id) { return gate }
            state.outcomes[id] = outcome
            return nil
        }
        gate?.resume(returning: outcome)
    }
}

