// slipway — Jobs
// SPDX-License-Identifier: Apache-2.0

/// The scheduler's pending jobs: a FIFO per worker pool, and the set of their IDs so a job
/// handed over twice (by the API and by start-up reconciliation) is queued once. Both are
/// changed only here, so they cannot disagree.
struct JobQueue {
    private var queues: [WorkerKind: [Job]] = [:]
    private var ids: Set<JobID> = []

    func contains(_ id: JobID) -> Bool { self.ids.contains(id) }

    /// The jobs waiting for `kind`, oldest first.
    func jobs(for kind: WorkerKind) -> [Job] { self.queues[kind] ?? [] }

    var isEmpty: Bool { self.ids.isEmpty }

    /// Queues `job` last; `false` if it is already queued.
    @discardableResult
    mutating func append(_ job: Job) -> Bool {
        guard self.ids.insert(job.id).inserted else { return false }
        self.queues[job.specification.worker, default: []].append(job)
        return true
    }

    /// Queues `job` first (a job the engine could not start goes back to the head).
    mutating func prepend(_ job: Job) {
        guard self.ids.insert(job.id).inserted else { return }
        self.queues[job.specification.worker, default: []].insert(job, at: 0)
    }

    /// Takes the job at `index` of `kind`'s queue.
    mutating func remove(at index: Int, for kind: WorkerKind) -> Job {
        let job = self.queues[kind]!.remove(at: index)
        self.ids.remove(job.id)
        return job
    }

    /// Takes job `id` out of whichever queue holds it; `false` if none does.
    @discardableResult
    mutating func remove(_ id: JobID) -> Bool {
        guard self.ids.remove(id) != nil else { return false }
        for (kind, queue) in self.queues {
            if let index = queue.firstIndex(where: { $0.id == id }) {
                self.queues[kind]?.remove(at: index)
                break
            }
        }
        return true
    }
}
