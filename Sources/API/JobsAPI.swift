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

    public var store: any JobStore
    public var logs: any LogStore
    public var scheduler: Scheduler
    public var hostPolicy: HostWorkerPolicy
    /// The worker kinds that have a pool; a job for another kind could never run.
    public var availableWorkers: Set<WorkerKind>
    public var limits = JobSubmission.Limits()

    public init(store: any JobStore, logs: any LogStore, scheduler: Scheduler, hostPolicy: HostWorkerPolicy, availableWorkers: Set<WorkerKind>) {
        self.store = store
        self.logs = logs
        self.scheduler = scheduler
        self.hostPolicy = hostPolicy
        self.availableWorkers = availableWorkers
    }

    public func register(on router: inout Router) {
        let api = self
        router.post("/v1/jobs", bodyLimit: 2 * 1024 * 1024) { request in try await api.submit(request) }
        router.get("/v1/jobs/{id}") { request in try await api.show(request) }
        router.get("/v1/jobs/{id}/log") { request in try await api.log(request) }
        router.post("/v1/jobs/{id}/cancel") { request in try await api.cancel(request) }
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
        await self.scheduler.submit(job)
        var response = try HTTPResponse.json(JobRepresentation(job), status: .created)
        response.fields.append(name: "Location", value: "/v1/jobs/\(job.id)")
        return response
    }

    func show(_ request: HTTPRequest) async throws -> HTTPResponse {
        let job = try await self.job(for: request)
        return try .json(JobRepresentation(job))
    }

    func cancel(_ request: HTTPRequest) async throws -> HTTPResponse {
        let job = try await self.job(for: request)
        guard !job.status.isFinished else {
            throw HTTPError(.conflict, "job \(job.id) has already finished (\(job.status.rawValue))")
        }
        do {
            let updated = try await self.scheduler.cancel(job.id)
            return try .json(JobRepresentation(updated), status: .accepted)
        } catch let error as IllegalTransition {
            throw HTTPError(.conflict, "job \(job.id) cannot be canceled: \(error)")
        }
    }

    /// The log as `text/plain`: from `offset` (default 0) to its current end, with the offset to
    /// continue from in `X-Next-Offset`; with `follow=true`, streamed until the job finishes.
    func log(_ request: HTTPRequest) async throws -> HTTPResponse {
        let job = try await self.job(for: request)
        var offset = 0
        if let text = request.query("offset") {
            guard let value = Int(text), value >= 0, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                throw HTTPError(.badRequest, "offset must be a non-negative number of bytes", extensions: ["field": "offset"])
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

    private func job(for request: HTTPRequest) async throws -> Job {
        guard let text = request.parameters["id"], let id = JobID(text) else {
            throw HTTPError(.notFound, "no job '\(request.parameters["id"] ?? "")': job ids are positive integers")
        }
        guard let job = try await self.store.job(id) else { throw HTTPError(.notFound, "no job \(id)") }
        return job
    }
}
