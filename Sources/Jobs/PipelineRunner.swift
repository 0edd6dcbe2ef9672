// slipway — Jobs
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials

/// Runs planned pipelines through their stages: enqueues a stage's jobs when the stages before
/// it have finished, skips what may not run, and cancels older pipelines of the same ref that a
/// new one supersedes. Every decision is made from the store (``PipelineStages``), so a
/// restarted slipway continues where it stopped.
public actor PipelineRunner {
    private let store: any JobStore & PipelineStore
    private let scheduler: Scheduler
    private let onChange: @Sendable (Job) -> Void
    private let onPipelineChange: @Sendable (Int64) -> Void

    /// - Parameters:
    ///   - onChange: told of every job the runner changes (events, metrics).
    ///   - onPipelineChange: told of pipeline-level changes that no job change shows (a
    ///     settled pipeline, an auto-cancel).
    public init(store: any JobStore & PipelineStore, scheduler: Scheduler, onChange: @escaping @Sendable (Job) -> Void = { _ in },
                onPipelineChange: @escaping @Sendable (Int64) -> Void = { _ in }) {
        self.store = store
        self.scheduler = scheduler
        self.onChange = onChange
        self.onPipelineChange = onPipelineChange
    }

    /// Records the planned jobs of `pipelineID`, cancels the older pipelines of its ref that
    /// may be canceled, and starts its first stage.
    @discardableResult
    public func start(_ pipeline: Pipeline, jobs drafts: [PipelineJobDraft]) async throws -> [Job] {
        let jobs = try await self.store.insertPipelineJobs(drafts, into: pipeline.id, at: Date())
        for job in jobs { self.onChange(job) }
        await self.autoCancel(olderThan: pipeline)
        try await self.advance(pipeline.id)
        return jobs
    }

    /// Ends a pipeline without jobs and publishes the change.
    public func settle(_ pipelineID: Int64, status: PipelineStatus, reason: FailureReason?, message: String) async throws {
        try await self.store.settlePipeline(pipelineID, status: status, reason: reason, message: message)
        self.onPipelineChange(pipelineID)
    }

    /// Tells the runner a job changed; a finished pipeline job may let the next stage start.
    public func jobChanged(_ job: Job) async {
        guard let pipelineID = job.specification.pipelineID, job.status.isFinished else { return }
        try? await self.advance(pipelineID)
    }

    /// Enqueues or skips whatever the stage rules say is next for `pipelineID`.
    public func advance(_ pipelineID: Int64) async throws {
        while true {
            let step = PipelineStages.next(try await self.store.stagedJobs(of: pipelineID))
            if step.isEmpty { return }
            for id in step.skip {
                // A job canceled meanwhile refuses the transition; it has finished either way.
                if let job = try? await self.store.apply(.skip, to: id, at: Date()) { self.onChange(job) }
            }
            for id in step.enqueue {
                guard let job = try? await self.store.apply(.enqueue, to: id, at: Date()) else { continue }
                self.onChange(job)
                await self.scheduler.submit(job)
            }
            // Enqueued jobs end the step; skips may have finished a stage, so look again.
            if !step.enqueue.isEmpty { return }
        }
    }

    /// Resumes pipelines that were waiting for a stage to start when slipway stopped.
    public func resumeAll() async {
        guard let ids = try? await self.store.pipelinesWithCreatedJobs() else { return }
        for id in ids { try? await self.advance(id) }
    }

    /// Cancels the older unfinished pipelines of `pipeline`'s ref whose running jobs are all
    /// interruptible, recording which pipeline canceled them.
    public func autoCancel(olderThan pipeline: Pipeline) async {
        guard let older = try? await self.store.unfinishedPipelines(project: pipeline.project, ref: pipeline.ref, before: pipeline.id) else { return }
        for id in older {
            guard let jobs = try? await self.store.stagedJobs(of: id), PipelineStages.isAutoCancelable(jobs) else { continue }
            try? await self.store.markAutoCanceled(id, by: pipeline.id)
            // Created jobs first, so no stage starts while its predecessors are being stopped.
            for job in jobs.sorted(by: { $0.stageIndex > $1.stageIndex }) where !job.status.isFinished {
                _ = try? await self.scheduler.cancel(job.id, reason: .autoCanceled)
            }
            self.onPipelineChange(id)
        }
    }
}
