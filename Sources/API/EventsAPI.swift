// slipway — API
// SPDX-License-Identifier: Apache-2.0

import HTTP
import Jobs

/// `GET /v1/events`: Server-Sent Events of job and pipeline status changes (the web pages'
/// live updates too: a page's `EventSource` is authorized by its session cookie).
///
/// ```
/// id: 42
/// event: job
/// data: {"id":7,"status":"running",...}
///
/// ```
/// A client that reconnects with `Last-Event-ID` (or `?last_event_id=`) first gets every
/// recorded event after that id, then live ones, without gaps or duplicates. Idle streams get a
/// `: heartbeat` comment every `api.events.heartbeat_interval`.
public struct EventsAPI: Sendable {
    public var hub: EventHub
    public var access = AccessPolicy.open

    public init(hub: EventHub) {
        self.hub = hub
    }

    public func register(on router: inout Router) {
        let api = self
        router.get("/v1/events", self.access.guarding(.read) { request in try await api.stream(request) })
    }

    /// Which events a subscriber wants: the `/v1/jobs` filters, plus `type`.
    struct Filter: Sendable {
        var statuses: Set<String> = []
        var subjects: Set<StateChange.Subject> = [.job, .pipeline]
        var worker: WorkerKind?
        var project: String?
        var ref: String?
        var pipelineID: Int64?
        var jobID: JobID?

        func matches(_ change: StateChange) -> Bool {
            if !self.subjects.contains(change.subject) { return false }
            if !self.statuses.isEmpty && !self.statuses.contains(change.status) { return false }
            if let worker, change.worker != worker { return false }
            if let project, change.project != project { return false }
            if let ref, change.ref != ref { return false }
            if let pipelineID, change.pipelineID != pipelineID { return false }
            if let jobID, change.subject != .job || change.jobID != jobID { return false }
            return true
        }
    }

    func stream(_ request: HTTPRequest) async throws -> HTTPResponse {
        let parameters = QueryParameters(request)
        var filter = Filter()
        let allStatuses = Set(JobStatus.allCases.map(\.rawValue)).union(PipelineStatus.allCases.map(\.rawValue)).sorted()
        filter.statuses = Set(try parameters.statuses(allowed: allStatuses))
        filter.worker = try parameters.worker()
        filter.project = try parameters.string("project")
        filter.ref = try parameters.string("ref")
        filter.pipelineID = try parameters.positiveInteger("pipeline_id")
        filter.jobID = try parameters.positiveInteger("job_id").map(JobID.init(rawValue:))
        if let type = request.query("type") {
            guard let subject = StateChange.Subject(rawValue: type) else { throw QueryParameters.invalid("type", "must be job or pipeline") }
            filter.subjects = [subject]
        }
        var resumeAfter: Int64?
        if let text = request.fields["Last-Event-ID"] ?? request.query("last_event_id") {
            guard text.utf8.count <= 18, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let id = Int64(text) else {
                throw QueryParameters.invalid("Last-Event-ID", "must be the id of an event this server sent")
            }
            resumeAfter = id
        }
        let hub = self.hub
        let frozenFilter = filter
        let frozenResume = resumeAfter
        // Subscribed before the backlog is read: an event recorded meanwhile arrives live too,
        // and is skipped by id.
        let subscription = hub.subscribe()
        return HTTPResponse(
            status: .ok,
            fields: ["Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no"],
            body: .stream { writer in
                defer { subscription.close() }
                try await writer.write("retry: 2000\n\n")
                let filter = frozenFilter
                var lastSent = frozenResume ?? 0
                if let resumeAfter = frozenResume {
                    var cursor = resumeAfter
                    while true {
                        let backlog = try await hub.recorded(after: cursor, limit: 1000)
                        guard !backlog.isEmpty else { break }
                        var bytes: [UInt8] = []
                        for change in backlog where filter.matches(change) { Self.append(change, to: &bytes) }
                        try await writer.write(bytes)
                        cursor = backlog.last!.id
                        lastSent = cursor
                    }
                }
                while let deliveries = await subscription.next() {
                    var bytes: [UInt8] = []
                    for delivery in deliveries {
                        switch delivery {
                        case .heartbeat:
                            bytes.append(contentsOf: ": heartbeat\n\n".utf8)
                        case .change(let change):
                            guard change.id > lastSent else { continue }
                            lastSent = change.id
                            if filter.matches(change) { Self.append(change, to: &bytes) }
                        }
                    }
                    try await writer.write(bytes)
                }
            }
        )
    }

    /// One event in the `text/event-stream` format (the JSON has no newlines).
    static func append(_ change: StateChange, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: "id: \(change.id)\nevent: \(change.subject.rawValue)\ndata: ".utf8)
        bytes.append(contentsOf: change.data.utf8)
        bytes.append(contentsOf: "\n\n".utf8)
    }
}
