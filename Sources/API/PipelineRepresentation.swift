// slipway — API
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import Jobs

/// A pipeline as the API shows it, with its aggregate status and, in detail views, its jobs.
public struct PipelineRepresentation: Encodable, Sendable {
    public var id: Int64
    public var project: String
    public var ref: String
    public var sha: String?
    public var source: String
    public var status: String
    public var createdAt: String
    /// When its last job finished, once every job has.
    public var finishedAt: String?
    /// Why it failed before any job ran (`config_error`, `runner_system_failure`).
    public var failureReason: String?
    /// The configuration error (with its line), the fetch error, or why no job was chosen.
    public var failureMessage: String?
    /// The newer pipeline for the same ref that canceled this one.
    public var autoCanceledBy: Int64?
    public var jobs: [JobRepresentation]?
    /// The pipeline's page for people (``WebLinks/pipeline(_:)``).
    public var webURL: String

    enum CodingKeys: String, CodingKey {
        case id, project, ref, sha, source, status, jobs
        case webURL = "web_url"
        case createdAt = "created_at"
        case finishedAt = "finished_at"
        case failureReason = "failure_reason"
        case failureMessage = "failure_message"
        case autoCanceledBy = "auto_canceled_by_id"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.id, forKey: .id)
        try container.encode(self.project, forKey: .project)
        try container.encode(self.ref, forKey: .ref)
        try container.encode(self.sha, forKey: .sha)
        try container.encode(self.source, forKey: .source)
        try container.encode(self.status, forKey: .status)
        try container.encode(self.createdAt, forKey: .createdAt)
        try container.encode(self.finishedAt, forKey: .finishedAt)
        try container.encode(self.failureReason, forKey: .failureReason)
        try container.encode(self.failureMessage, forKey: .failureMessage)
        try container.encode(self.autoCanceledBy, forKey: .autoCanceledBy)
        try container.encodeIfPresent(self.jobs, forKey: .jobs)
        try container.encode(self.webURL, forKey: .webURL)
    }

    /// - Parameter includeJobs: whether to list the jobs (detail view) or only summarize them.
    public init(_ pipeline: Pipeline, jobs: [Job], includeJobs: Bool, now: Date = Date()) {
        self.id = pipeline.id
        self.project = pipeline.project
        self.ref = pipeline.ref
        self.sha = pipeline.sha
        self.source = pipeline.source
        let status = pipeline.status(of: jobs)
        self.status = status.rawValue
        self.createdAt = Timestamp.format(pipeline.createdAt)
        self.finishedAt = status.isFinished && !jobs.isEmpty ? jobs.compactMap(\.finishedAt).max().map(Timestamp.format) : nil
        self.failureReason = pipeline.failureReason?.rawValue
        self.failureMessage = pipeline.failureMessage
        self.autoCanceledBy = pipeline.autoCanceledBy
        self.jobs = includeJobs ? jobs.map { JobRepresentation($0, now: now) } : nil
        self.webURL = WebLinks.pipeline(pipeline.id)
    }
}
