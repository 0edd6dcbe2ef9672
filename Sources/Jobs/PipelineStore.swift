// slipway — Jobs
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials

/// The store as the pipeline runner needs it: a pipeline's jobs with their stage metadata,
/// the other pipelines of a ref, and the pipeline-level outcomes that have no job to carry them.
public protocol PipelineStore: Sendable {
    /// Records the jobs of a planned pipeline, all `created`, in one transaction, and marks it
    /// planned (so a restart does not plan it again). Each draft makes its specification from
    /// the job's id, which the store assigns.
    func insertPipelineJobs(_ drafts: [PipelineJobDraft], into pipelineID: Int64, at time: Date) async throws -> [Job]

    /// The jobs of `pipelineID` with their stages, `when` and flags, in stage order.
    func stagedJobs(of pipelineID: Int64) async throws -> [StagedJob]

    /// Ends a pipeline that has no jobs: `status` `failed` with a reason and message, or
    /// `skipped` when its rules chose no job.
    func settlePipeline(_ pipelineID: Int64, status: PipelineStatus, reason: FailureReason?, message: String) async throws

    /// Records that `newer` auto-canceled `pipelineID`.
    func markAutoCanceled(_ pipelineID: Int64, by newer: Int64) async throws

    /// Planned pipelines of `project` and `ref` older than `pipelineID` that still have
    /// unfinished jobs, newest first.
    func unfinishedPipelines(project: String, ref: String, before pipelineID: Int64) async throws -> [Int64]

    /// Planned pipelines that still have `created` jobs (a restart resumes them).
    func pipelinesWithCreatedJobs() async throws -> [Int64]
}

/// One job of a planned pipeline, before the store gives it an id.
public struct PipelineJobDraft: Sendable {
    public var stageIndex: Int
    public var when: StagedJob.When
    public var allowFailure: Bool
    public var interruptible: Bool
    /// The job's specification, given its id (`CI_JOB_ID` and paths that hold it).
    public var specification: @Sendable (JobID) -> JobSpecification

    public init(stageIndex: Int, when: StagedJob.When, allowFailure: Bool, interruptible: Bool,
                specification: @escaping @Sendable (JobID) -> JobSpecification) {
        self.stageIndex = stageIndex
        self.when = when
        self.allowFailure = allowFailure
        self.interruptible = interruptible
        self.specification = specification
    }
}
