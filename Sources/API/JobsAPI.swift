// slipway — API
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import HTTP
import Jobs

/// `/v1/jobs`: submit, inspect, cancel and read the log of jobs.
public struct JobsAPI: Sendable {
    /// Who may use the host worker (it shares the host's Docker daemon: root on the host).
    public struct HostWorkerPolicy: Sendable {
        /// Projects whose jobs may run on the host worker.
        public var allowedProjects: Set<String> = []
        /// Whether `POST /v1/jobs` may ask for the host worker at all.
        public var allowAPISubmissions = false
        public init() {}

        /// `nil` when `project` may submit a host job through the API, else why not.
        func refusal(for project: String?) -> String? {
            guard self.allowAPISubmissions else {
                return "the host worker shares the host's Docker daemon and is not enabled for API submissions (workers.host.allow_api_submissions)"
            }
            if let project, !self.allowedProjects.isEmpty, !self.allowedProjects.contains(project) {
                return "project \(project) is not on the host worker's allow-list (workers.host.allowed_projects)"
            }
            return nil
        }
    }

    public var store: any JobStore & JobCatalog
    /// Reads answered on the event loop (``JobReadsOnTheLoop``); without them every lookup
    /// and list runs as a task.
    public var loopReads: (any JobReadsOnTheLoop)?
    public var logs: any LogStore
    public var scheduler: Scheduler
    public var hostPolicy: HostWorkerPolicy
    /// The worker kinds that have a pool; a job for another kind could never run.
    public var availableWorkers: Set<WorkerKind>
    public var limits = JobSubmission.Limits()
    /// Told of jobs this API creates (the scheduler reports the rest).
    public var events: EventHub?
    public var access = AccessPolicy.open
    /// The longest `?wait=` honoured; longer waits are shortened to it.
    public var maxWait: Duration = .seconds(60)
    /// How often an idle log event stream gets a comment line (`api.events.heartbeat_interval`).
    public var logHeartbeat: Duration = .seconds(15)

    public init(store: any JobStore & JobCatalog, logs: any LogStore, scheduler: Scheduler, hostPolicy: HostWorkerPolicy, availableWorkers: Set<WorkerKind>) {
        self.store = store
        self.logs = logs
        self.scheduler = scheduler
        self.hostPolicy = hostPolicy
        self.availableWorkers = availableWorkers
    }

    public func register(on router: inout Router) {
        let api = self
        let access = self.access
        // A lookup answers on the event loop (see JobReadsOnTheLoop); `?wait=` long polls run as
        // tasks. Lists too, unless the filter makes SQLite scan: then a reader thread answers.
        router.get("/v1/jobs", access.guarding(.read, .immediateOrAsync(immediate: api.listNow, async: api.list)))
        router.post("/v1/jobs", bodyLimit: 2 * 1024 * 1024, access.guarding(.submit) { request in try await api.submit(request) })
        router.get("/v1/jobs/{id}", WebLinks.redirectingPages(WebLinks.jobPage, access.guarding(.read, .immediateOrAsync(immediate: api.showNow, async: api.show))))
        router.get("/v1/jobs/{id}/log", WebLinks.redirectingPages(WebLinks.jobPage, access.guarding(.read, .async(api.log))))
        router.get("/v1/jobs/{id}/log/events", access.guarding(.read) { request in try await api.logEvents(request) })
        router.post("/v1/jobs/{id}/cancel", access.guarding(.submit) { request in try await api.cancel(request) })
        router.post("/v1/jobs/{id}/retry", access.guarding(.submit) { request in try await api.retry(request) })
    }

    // MARK: - Handlers

    func submit(_ request: HTTPRequest) async throws -> HTTPResponse {
        let submission = try JobSubmission.parse(request.body, limits: self.limits)
        let specification = submission.specification
        if specification.worker == .host, let refusal = self.hostPolicy.refusal(for: specification.project) {
            throw HTTPError(.forbidden, refusal, type: "https://slipway.dev/problems/host-worker-not-allowed")
        }
        guard self.availableWorkers.contains(specification.worker) else {
            throw invalidField("worker", "no \(specification.worker.rawValue) worker pool is configured on this server")
        }
        // Acknowledged only after the insert has committed (fsync): a 201 is never lost.
        let job = try await self.store.insert(specification, status: .pending, at: Date())
        self.events?.jobChanged(job)
        await self.scheduler.submit(job)
        var response = JobRepresentation.response(job, status: .created)
        response.fields.append(name: "Location", value: "/v1/jobs/\(job.id)")
        return response
    }

    /// The job, answered on the event loop (see ``register(on:)``); nil with `wait`, which
    /// ``show(_:)`` answers.
    func showNow(_ request: HTTPRequest) throws -> HTTPResponse? {
        guard let loopReads, request.head.query == nil || (request.query("wait") == nil && request.query("status") == nil) else { return nil }
        let id = try Self.jobID(request)
        guard let job = try loopReads.jobSummaryNow(id) else { throw HTTPError(.notFound, "no job \(id)") }
        return JobRepresentation.response(job)
    }

    /// The job; with `wait=DURATION`, answered as soon as its status changes or the wait ends
    /// (at once for a finished job, whose status cannot change).
    func show(_ request: HTTPRequest) async throws -> HTTPResponse {
        var known: JobStatus?
        if let text = request.query("status") {
            guard let status = JobStatus(rawValue: text) else {
                throw QueryParameters.invalid("status", "must be a job status such as pending or running")
            }
            known = status
        }
        guard let text = request.query("wait") else {
            return JobRepresentation.response(try await self.summary(for: request))
        }
        guard let requested = Self.waitDuration(text) else {
            throw QueryParameters.invalid("wait", "must be a whole number of seconds, or of ms, s or m, such as 30s, 500ms or 2m")
        }
        let wait = min(requested, self.maxWait)
        let id = try Self.jobID(request)
        guard let events = self.events else { return JobRepresentation.response(try await self.summary(for: request)) }
        let deadline = ContinuousClock.now + wait
        var watch = events.watch(id)
        guard let initial = try await self.store.jobSummary(id) else {
            events.cancel(watch)
            throw HTTPError(.notFound, "no job \(id)")
        }
        // The status the caller last saw, if it says: a change before this request arrived
        // is then answered at once instead of waiting for the next one.
        let baseline = known ?? initial.status
        var current = initial
        while !current.status.isFinished && current.status == baseline {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero, await events.wait(watch, timeout: remaining) else { return JobRepresentation.response(current) }
            watch = events.watch(id)
            guard let latest = try await self.store.jobSummary(id) else { break }
            current = latest
            if current.status != baseline { break }
        }
        events.cancel(watch)
        return JobRepresentation.response(current)
    }

    /// `wait`'s strict form, `^[0-9]{1,6}(ms|s|m)?$` as openapi.yaml says (a bare number is
    /// seconds).
    static func waitDuration(_ text: String) -> Duration? {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        guard (1...6).contains(digits.count), let value = Int64(digits) else { return nil }
        switch text.dropFirst(digits.count) {
        case "", "s": return .seconds(value)
        case "ms": return .milliseconds(value)
        case "m": return .seconds(value * 60)
        default: return nil
        }
    }

    /// A new pending job with the same specification, linked to `id` (`retry_of`).
    func retry(_ request: HTTPRequest) async throws -> HTTPResponse {
        let job = try await self.retry(job: try Self.jobID(request))
        var response = JobRepresentation.response(job, status: .created)
        response.fields.append(name: "Location", value: "/v1/jobs/\(job.id)")
        return response
    }

    /// Retries finished job `id` (`POST /v1/jobs/{id}/retry`, and the job page's button):
    /// the new job. Refusals are ``HTTP/HTTPError``s with the API's statuses.
    public func retry(job id: JobID) async throws -> Job {
        guard let original = try await self.store.job(id) else { throw HTTPError(.notFound, "no job \(id)") }
        guard original.status.isFinished else {
            throw HTTPError(.conflict, "job \(original.id) is \(original.status.rawValue); only a finished job can be retried",
                            type: "https://slipway.dev/problems/job-not-finished")
        }
        let specification = original.specification
        if specification.worker == .host, let refusal = self.hostPolicy.refusal(for: specification.project) {
            throw HTTPError(.forbidden, refusal, type: "https://slipway.dev/problems/host-worker-not-allowed")
        }
        guard self.availableWorkers.contains(specification.worker) else {
            throw HTTPError(.conflict, "no \(specification.worker.rawValue) worker pool is configured on this server any more")
        }
        let job = try await self.store.insertRetry(of: original, at: Date())
        self.events?.jobChanged(job)
        await self.scheduler.submit(job)
        return job
    }

    func cancel(_ request: HTTPRequest) async throws -> HTTPResponse {
        JobRepresentation.response(try await self.cancel(job: try Self.jobID(request)), status: .accepted)
    }

    /// Cancels job `id` (`POST /v1/jobs/{id}/cancel`, and the job page's button): the job as
    /// it is now; 409 once it has finished.
    public func cancel(job id: JobID) async throws -> Job {
        guard let job = try await self.store.job(id) else { throw HTTPError(.notFound, "no job \(id)") }
        guard !job.status.isFinished else {
            throw HTTPError(.conflict, "job \(job.id) has already finished (\(job.status.rawValue))")
        }
        do {
            return try await self.scheduler.cancel(job.id)
        } catch let error as IllegalTransition {
            throw HTTPError(.conflict, "job \(job.id) cannot be canceled: \(error)")
        }
    }

    /// The largest offset a JSON number holds exactly (openapi.yaml's maximum).
    static let maximumOffset = (1 << 53) - 1

    /// The log as `text/plain`: from `offset` (default 0) to its current end, with the offset to
    /// continue from in `X-Next-Offset`; with `follow=true`, streamed until the job finishes.
    func log(_ request: HTTPRequest) async throws -> HTTPResponse {
        let job = try await self.job(for: request)
        var offset = 0
        if let text = request.query("offset") {
            guard let value = Int(text), value >= 0, value <= Self.maximumOffset, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                throw HTTPError(.badRequest, "offset must be a number of bytes from 0 to 2^53-1", extensions: ["field": "offset"])
            }
            offset = value
        }
        let follow: Bool
        switch request.query("follow") {
        case nil, "false", "0": follow = false
        case "true", "1", "": follow = true
        default: throw HTTPError(.badRequest, "follow must be true or false", extensions: ["field": "follow"])
        }
        if !follow {
            let chunk = try await self.logs.read(job.id, from: offset, maximum: 64 * 1024 * 1024)
            return HTTPResponse(status: .ok, fields: [
                "Content-Type": "text/plain; charset=utf-8", "X-Next-Offset": String(chunk.nextOffset), "X-Job-Status": job.status.rawValue,
            ], body: ResponseBody(bytes: chunk.bytes))
        }
        let logs = self.logs
        let store = self.store
        let id = job.id
        let start = offset
        return HTTPResponse(status: .ok, fields: ["Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff"], body: .stream { writer in
            var position = start
            while true {
                let chunk = try await logs.read(id, from: position, maximum: 256 * 1024)
                if !chunk.bytes.isEmpty {
                    try await writer.write(chunk.bytes)
                    position = chunk.nextOffset
                    continue
                }
                // At the current end: stop once the job is finished and nothing more will come.
                let finished: Bool
                if let known = logs.isFinished(id) {
                    finished = known
                } else {
                    finished = try await store.job(id)?.status.isFinished ?? true
                }
                if finished {
                    let last = try await logs.read(id, from: position, maximum: 256 * 1024)
                    if last.bytes.isEmpty { return }
                    continue
                }
                await logs.waitForAppend(to: id, after: position, timeout: .seconds(5))
            }
        })
    }

    static func jobID(_ request: HTTPRequest) throws(HTTPError) -> JobID {
        guard let text = request.parameters["id"], let id = JobID(text) else {
            throw HTTPError(.notFound, "no job '\(request.parameters["id"]?.prefix(40) ?? "")': job ids are positive integers")
        }
        return id
    }

    private func summary(for request: HTTPRequest) async throws -> JobSummary {
        let id = try Self.jobID(request)
        guard let job = try await self.store.jobSummary(id) else { throw HTTPError(.notFound, "no job \(id)") }
        return job
    }

    private func job(for request: HTTPRequest) async throws -> Job {
        let id = try Self.jobID(request)
        guard let job = try await self.store.job(id) else { throw HTTPError(.notFound, "no job \(id)") }
        return job
    }
}
