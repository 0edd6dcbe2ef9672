// slipway — Jobs
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials

/// A recorded change of a job's or a pipeline's status, as `/v1/events` delivers it. Kept in the
/// store for a window so that a subscriber that reconnects with `Last-Event-ID` misses nothing.
public struct StateChange: Sendable, Hashable {
    /// What changed.
    public enum Subject: String, Sendable, Hashable {
        case job
        case pipeline
    }

    /// Assigned by the store in commit order; `0` before it is recorded.
    public var id: Int64
    public var subject: Subject
    public var jobID: JobID?
    public var pipelineID: Int64?
    /// The new status (a ``JobStatus`` or ``PipelineStatus`` raw value).
    public var status: String
    /// The fields subscribers filter on, copied from the job (or pipeline).
    public var worker: WorkerKind?
    public var project: String?
    public var ref: String?
    public var time: Date
    /// The event's JSON document, as the API renders it (the store keeps it opaque).
    public var data: String

    public init(id: Int64 = 0, subject: Subject, jobID: JobID?, pipelineID: Int64?, status: String, worker: WorkerKind?,
                project: String?, ref: String?, time: Date, data: String) {
        self.id = id
        self.subject = subject
        self.jobID = jobID
        self.pipelineID = pipelineID
        self.status = status
        self.worker = worker
        self.project = project
        self.ref = ref
        self.time = time
        self.data = data
    }
}
