// slipway — Jobs
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials

/// A pipeline: the jobs one push, tag push or merge request event started for a project at a
/// commit. Its status is never stored; it is computed from its jobs (``PipelineStatus``).
public struct Pipeline: Sendable, Hashable {
    /// Assigned by the store; jobs refer to it through ``JobSpecification/pipelineID``.
    public var id: Int64
    /// The project (`group/name`).
    public var project: String
    /// The branch or tag.
    public var ref: String
    /// The commit, when known.
    public var sha: String?
    /// What started it, in GitLab's vocabulary (`push`, `tag_push`, `merge_request_event`, `api`).
    public var source: String
    public var createdAt: Date
    /// The status of a pipeline that ended without jobs (its configuration could not be read,
    /// or its rules chose no job); `nil` while its jobs decide it.
    public var settledStatus: PipelineStatus?
    /// Why it failed before any job ran (`config_error`, or `runner_system_failure` when the
    /// commit could not be fetched).
    public var failureReason: FailureReason?
    /// What went wrong, or why no job was chosen, worded for the person who pushed.
    public var failureMessage: String?
    /// The newer pipeline for the same ref that canceled this one.
    public var autoCanceledBy: Int64?
    /// Jobs with `allow_failure: true`: their failure does not fail the pipeline.
    public var allowedFailures: Set<JobID> = []

    public init(id: Int64, project: String, ref: String, sha: String? = nil, source: String = "push", createdAt: Date) {
        self.id = id
        self.project = project
        self.ref = ref
        self.sha = sha
        self.source = source
        self.createdAt = createdAt
    }

    /// The pipeline's status given its jobs: the settled status when it has none, else the
    /// aggregate in which a failed job that was allowed to fail counts as a success (GitLab's
    /// "passed with warnings").
    public func status(of jobs: [Job]) -> PipelineStatus {
        guard !jobs.isEmpty else { return self.settledStatus ?? .created }
        guard !self.allowedFailures.isEmpty else { return PipelineStatus.aggregate(jobs.lazy.map(\.status)) }
        return PipelineStatus.aggregate(jobs.lazy.map { job in
            job.status == .failed && self.allowedFailures.contains(job.id) ? .success : job.status
        })
    }
}
