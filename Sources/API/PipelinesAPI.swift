// slipway — API
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import HTTP
import Jobs

/// `/v1/pipelines`: list, inspect and cancel pipelines.
public struct PipelinesAPI: Sendable {
    public var store: any JobStore & JobCatalog
    public var scheduler: Scheduler
    public var access = AccessPolicy.open

    public init(store: any JobStore & JobCatalog, scheduler: Scheduler) {
        self.store = store
        self.scheduler = scheduler
    }

    public func register(on router: inout Router) {
        let api = self
        router.get("/v1/pipelines", WebLinks.redirectingPages(WebLinks.pipelinesPage, self.access.guarding(.read, .async(api.list))))
        router.get("/v1/pipelines/{id}", WebLinks.redirectingPages(WebLinks.pipelinePage, self.access.guarding(.read, .async(api.show))))
        router.post("/v1/pipelines/{id}/cancel", self.access.guarding(.admin) { request in try await api.cancel(request) })
    }

    // MARK: - Handlers

    func list(_ request: HTTPRequest) async throws -> HTTPResponse {
        let parameters = QueryParameters(request)
        var query = PipelineQuery()
        query.project = try parameters.string("project")
        query.ref = try parameters.string("ref")
        query.beforeID = try parameters.cursor()
        let pageSize = try parameters.limit()
        query.limit = pageSize + 1
        var pipelines = try await self.store.pipelines(matching: query)
        var next: String?
        if pipelines.count > pageSize {
            pipelines.removeLast(pipelines.count - pageSize)
            next = PageCursor.nextLink(for: request, after: pipelines.last!.id)
        }
        let jobs = try await self.store.jobs(inPipelines: pipelines.map(\.id))
        let now = Date()
        let representations = pipelines.map { PipelineRepresentation($0, jobs: jobs[$0.id] ?? [], includeJobs: false, now: now) }
        return try JobsAPI.page(PipelinePage(pipelines: representations, next: next), next: next)
    }

    func show(_ request: HTTPRequest) async throws -> HTTPResponse {
        let (pipeline, jobs) = try await self.pipeline(for: request)
        return try .json(PipelineRepresentation(pipeline, jobs: jobs, includeJobs: true))
    }

    /// Cancels every job of the pipeline that has not finished: 202, or 409 when all have.
    func cancel(_ request: HTTPRequest) async throws -> HTTPResponse {
        let (pipeline, jobs) = try await self.pipeline(for: request)
        let updated = try await self.cancel(pipeline, jobs: jobs)
        return try .json(PipelineRepresentation(pipeline, jobs: updated, includeJobs: true), status: .accepted)
    }

    /// Cancels every unfinished job of pipeline `id` (`POST /v1/pipelines/{id}/cancel`, and
    /// the pipeline page's button): its jobs as they are now; 409 when all had finished.
    public func cancel(pipeline id: Int64) async throws -> [Job] {
        guard let pipeline = try await self.store.pipeline(id) else { throw HTTPError(.notFound, "no pipeline \(id)") }
        let jobs = try await self.store.jobs(inPipelines: [id])[id] ?? []
        return try await self.cancel(pipeline, jobs: jobs)
    }

    private func cancel(_ pipeline: Pipeline, jobs: [Job]) async throws -> [Job] {
        let unfinished = jobs.filter { !$0.status.isFinished }
        guard !unfinished.isEmpty else {
            let status = pipeline.status(of: jobs)
            throw HTTPError(.conflict, "pipeline \(pipeline.id) has already finished (\(status.rawValue))",
                            type: "https://slipway.dev/problems/already-finished")
        }
        for job in unfinished {
            // A job that finished meanwhile is not an error: the pipeline is still canceled.
            _ = try? await self.scheduler.cancel(job.id)
        }
        return try await self.store.jobs(inPipelines: [pipeline.id])[pipeline.id] ?? []
    }

    private func pipeline(for request: HTTPRequest) async throws -> (Pipeline, [Job]) {
        let text = request.parameters["id"] ?? ""
        guard text.utf8.count <= 18, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let id = Int64(text), id > 0 else {
            throw HTTPError(.notFound, "no pipeline '\(text.prefix(40))': pipeline ids are positive integers")
        }
        guard let pipeline = try await self.store.pipeline(id) else { throw HTTPError(.notFound, "no pipeline \(id)") }
        let jobs = try await self.store.jobs(inPipelines: [id])[id] ?? []
        return (pipeline, jobs)
    }
}

/// The body of `GET /v1/pipelines`.
struct PipelinePage: Encodable {
    var pipelines: [PipelineRepresentation]
    var next: String?

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.pipelines, forKey: .pipelines)
        try container.encode(self.next, forKey: .next)
    }

    enum CodingKeys: String, CodingKey { case pipelines, next }
}
