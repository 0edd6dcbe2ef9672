// slipway — Jobs
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials

/// Which jobs to list: every filter that is set must match. Results are newest first (by id).
public struct JobQuery: Sendable, Hashable {
    /// Any of these statuses; empty: any status.
    public var statuses: Set<JobStatus> = []
    public var worker: WorkerKind?
    public var project: String?
    public var ref: String?
    public var pipelineID: Int64?
    /// Created at or after this time.
    public var createdAfter: Date?
    /// Created before this time.
    public var createdBefore: Date?
    /// Only jobs with a smaller id (the pagination cursor: the last id of the previous page).
    public var beforeID: JobID?
    public var limit: Int = 20

    public init() {}

    /// Whether `job` passes every filter except the cursor and the limit (used for events).
    public func matches(_ job: Job) -> Bool {
        if !self.statuses.isEmpty && !self.statuses.contains(job.status) { return false }
        if let worker, job.specification.worker != worker { return false }
        if let project, job.specification.project != project { return false }
        if let ref, job.specification.ref != ref { return false }
        if let pipelineID, job.specification.pipelineID != pipelineID { return false }
        if let createdAfter, job.createdAt < createdAfter { return false }
        if let createdBefore, job.createdAt >= createdBefore { return false }
        return true
    }
}

/// Which pipelines to list, newest first.
public struct PipelineQuery: Sendable, Hashable {
    public var project: String?
    public var ref: String?
    /// Only pipelines with a smaller id (the pagination cursor).
    public var beforeID: Int64?
    public var limit: Int = 20

    public init() {}
}
