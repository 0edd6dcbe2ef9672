// slipway — Jobs
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials

/// A job without its script, variables and container: everything the API shows of a job.
///
/// Lists and lookups read this instead of ``Job`` so the store neither reads nor parses the
/// script and variables (JSON in the row) that no response contains.
public struct JobSummary: Sendable, Hashable {
    public var id: JobID
    public var name: String
    public var image: String
    public var worker: WorkerKind
    public var timeout: Duration
    public var project: String?
    public var pipelineID: Int64?
    public var stage: String?
    public var ref: String?
    public var status: JobStatus
    public var failureReason: FailureReason?
    public var exitCode: Int32?
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    /// The job this one retries, if any.
    public var retryOf: JobID?

    public init(id: JobID, name: String, image: String, worker: WorkerKind, timeout: Duration, project: String? = nil,
                pipelineID: Int64? = nil, stage: String? = nil, ref: String? = nil, status: JobStatus,
                failureReason: FailureReason? = nil, exitCode: Int32? = nil, createdAt: Date, startedAt: Date? = nil,
                finishedAt: Date? = nil, retryOf: JobID? = nil) {
        self.id = id
        self.name = name
        self.image = image
        self.worker = worker
        self.timeout = timeout
        self.project = project
        self.pipelineID = pipelineID
        self.stage = stage
        self.ref = ref
        self.status = status
        self.failureReason = failureReason
        self.exitCode = exitCode
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.retryOf = retryOf
    }

    /// The summary of `job`.
    public init(_ job: Job) {
        let specification = job.specification
        self.init(
            id: job.id, name: specification.name, image: specification.image, worker: specification.worker,
            timeout: specification.timeout, project: specification.project, pipelineID: specification.pipelineID,
            stage: specification.stage, ref: specification.ref, status: job.status, failureReason: job.failureReason,
            exitCode: job.exitCode, createdAt: job.createdAt, startedAt: job.startedAt, finishedAt: job.finishedAt,
            retryOf: job.retryOf
        )
    }

    /// Seconds from start to finish (or to `now` while running), as ``Job/duration(now:)``.
    public func duration(now: Date) -> Double? {
        guard let startedAt else { return nil }
        return (self.finishedAt ?? now).timeIntervalSince(startedAt)
    }

    /// Seconds spent waiting in the queue, as ``Job/queuedDuration(now:)``.
    public func queuedDuration(now: Date) -> Double {
        (self.startedAt ?? self.finishedAt ?? now).timeIntervalSince(self.createdAt)
    }
}
