// slipway — Jobs
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials

/// A job as stored: what to run, where, and what happened.
public struct Job: Sendable, Hashable {
    public var id: JobID
    public var specification: JobSpecification
    public var status: JobStatus
    public var failureReason: FailureReason?
    public var exitCode: Int32?
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    /// The job container's id once created (for reconciliation after a restart).
    public var containerID: String?
    /// The job this one retries (`POST /v1/jobs/{id}/retry`), if any.
    public var retryOf: JobID?

    public init(id: JobID, specification: JobSpecification, status: JobStatus, failureReason: FailureReason? = nil, exitCode: Int32? = nil,
                createdAt: Date, startedAt: Date? = nil, finishedAt: Date? = nil, containerID: String? = nil, retryOf: JobID? = nil) {
        self.id = id
        self.specification = specification
        self.status = status
        self.failureReason = failureReason
        self.exitCode = exitCode
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.containerID = containerID
        self.retryOf = retryOf
    }

    public var name: String { self.specification.name }

    /// Seconds from start to finish (or to `now` while running), as GitLab's `duration`.
    public func duration(now: Date) -> Double? {
        guard let startedAt else { return nil }
        return (self.finishedAt ?? now).timeIntervalSince(startedAt)
    }

    /// Seconds spent waiting in the queue, as GitLab's `queued_duration`.
    public func queuedDuration(now: Date) -> Double {
        (self.startedAt ?? self.finishedAt ?? now).timeIntervalSince(self.createdAt)
    }

    /// Applies `event` at `time`, updating the status and the timestamps that go with it.
    public mutating func apply(_ event: JobEvent, at time: Date) -> Result<Void, IllegalTransition> {
        switch self.status.applying(event) {
        case .failure(let error):
            return .failure(error)
        case .success(let next):
            switch event {
            case .start:
                self.startedAt = time
            case .fail(let reason, let exitCode):
                self.failureReason = reason
                self.exitCode = exitCode
            case .cancel(let reason):
                self.failureReason = reason
            case .succeed:
                self.exitCode = 0
            case .enqueue, .skip, .requeue:
                break
            }
            if next.isFinished { self.finishedAt = time }
            self.status = next
            return .success(())
        }
    }
}

/// What a job runs: everything a submitter (curl or a pipeline) chooses.
public struct JobSpecification: Sendable, Hashable, Codable {
    public var name: String
    public var image: String
    /// Shell lines, run with `sh -e` as GitLab does, each echoed before it runs.
    public var script: [String]
    public var variables: [String: String]
    public var worker: WorkerKind
    public var timeout: Duration
    /// The project the job belongs to (`group/name`), for allow-lists and per-project limits.
    public var project: String?
    public var pipelineID: Int64?
    public var stage: String?
    public var ref: String?

    public init(name: String, image: String, script: [String], variables: [String: String] = [:], worker: WorkerKind = .dind,
                timeout: Duration = .seconds(3600), project: String? = nil, pipelineID: Int64? = nil, stage: String? = nil, ref: String? = nil) {
        self.name = name
        self.image = image
        self.script = script
        self.variables = variables
        self.worker = worker
        self.timeout = timeout
        self.project = project
        self.pipelineID = pipelineID
        self.stage = stage
        self.ref = ref
    }

    enum CodingKeys: String, CodingKey {
        case name, image, script, variables, worker, project, stage, ref
        case timeoutSeconds = "timeout_seconds"
        case pipelineID = "pipeline_id"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.name = try container.decode(String.self, forKey: .name)
        self.image = try container.decode(String.self, forKey: .image)
        self.script = try container.decode([String].self, forKey: .script)
        self.variables = try container.decodeIfPresent([String: String].self, forKey: .variables) ?? [:]
        self.worker = try container.decode(WorkerKind.self, forKey: .worker)
        self.timeout = .milliseconds(Int64((try container.decode(Double.self, forKey: .timeoutSeconds) * 1000).rounded()))
        self.project = try container.decodeIfPresent(String.self, forKey: .project)
        self.pipelineID = try container.decodeIfPresent(Int64.self, forKey: .pipelineID)
        self.stage = try container.decodeIfPresent(String.self, forKey: .stage)
        self.ref = try container.decodeIfPresent(String.self, forKey: .ref)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.name, forKey: .name)
        try container.encode(self.image, forKey: .image)
        try container.encode(self.script, forKey: .script)
        try container.encode(self.variables, forKey: .variables)
        try container.encode(self.worker, forKey: .worker)
        try container.encode(self.timeout.seconds, forKey: .timeoutSeconds)
        try container.encodeIfPresent(self.project, forKey: .project)
        try container.encodeIfPresent(self.pipelineID, forKey: .pipelineID)
        try container.encodeIfPresent(self.stage, forKey: .stage)
        try container.encodeIfPresent(self.ref, forKey: .ref)
    }
}

extension Duration {
    /// The duration in seconds as a floating-point number (JSON carries timeouts as seconds).
    var seconds: Double {
        let (seconds, attoseconds) = self.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
