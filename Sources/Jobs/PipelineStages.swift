// slipway — Jobs
// SPDX-License-Identifier: Apache-2.0

/// The stage rules of a pipeline, as pure functions of its jobs' states: stages run in order,
/// the jobs of a stage concurrently, and once a stage has finished the next one's jobs are
/// enqueued or skipped by their `when`.
public enum PipelineStages {
    /// What to do next.
    public struct Step: Sendable, Hashable {
        /// `created` jobs whose turn has come.
        public var enqueue: [JobID] = []
        /// `created` jobs that will not run (an earlier failure, or nothing failed for `on_failure`).
        public var skip: [JobID] = []

        public init(enqueue: [JobID] = [], skip: [JobID] = []) {
            self.enqueue = enqueue
            self.skip = skip
        }

        public var isEmpty: Bool { self.enqueue.isEmpty && self.skip.isEmpty }
    }

    /// The next step for a pipeline whose jobs are `jobs`: the first stage that still has
    /// unfinished jobs is decided once every earlier stage has finished. Skipping a stage
    /// finishes it, so one step may decide several stages; a stage with jobs enqueued ends it.
    public static func next(_ jobs: [StagedJob]) -> Step {
        var step = Step()
        var failedBefore = false
        let stages = Dictionary(grouping: jobs, by: \.stageIndex).sorted { $0.key < $1.key }
        for (_, stageJobs) in stages {
            let created = stageJobs.filter { $0.status == .created }
            let active = stageJobs.contains { $0.status == .pending || $0.status == .running }
            if active { return step }
            if !created.isEmpty {
                for job in created {
                    let runs = switch job.when {
                    case .onSuccess: !failedBefore
                    case .onFailure: failedBefore
                    case .always: true
                    }
                    if runs { step.enqueue.append(job.id) } else { step.skip.append(job.id) }
                }
                if !step.enqueue.isEmpty { return step }
            }
            // Finished (or just skipped as a whole): does it fail the stages after it?
            failedBefore = failedBefore || stageJobs.contains { job in
                (job.status == .failed && !job.allowFailure) || job.status == .canceled
            }
        }
        return step
    }

    /// Whether a newer pipeline for the same ref may cancel this one (GitLab's rule): it has
    /// unfinished jobs, and every job that is running is interruptible. Jobs that have not
    /// started can always be canceled.
    public static func isAutoCancelable(_ jobs: [StagedJob]) -> Bool {
        jobs.contains { !$0.status.isFinished } && jobs.allSatisfy { $0.status != .running || $0.interruptible }
    }
}
