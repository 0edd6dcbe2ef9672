// slipway — API
// SPDX-License-Identifier: Apache-2.0

import HTTP
import Jobs

/// `GET /v1/workers` and `GET /metrics`: what operators watch.
public struct OperationsAPI: Sendable {
    public var store: any JobCatalog
    public var scheduler: Scheduler
    public var metrics: MetricsRegistry
    public var events: EventHub?
    public var access = AccessPolicy.open
    /// Ready warm daemons of a pool, for pools that can keep them (the dind pool; `nil` for
    /// the others).
    public var warmDaemons: @Sendable (WorkerKind) async -> Int? = { _ in nil }

    public init(store: any JobCatalog, scheduler: Scheduler, metrics: MetricsRegistry) {
        self.store = store
        self.scheduler = scheduler
        self.metrics = metrics
    }

    public func register(on router: inout Router) {
        let api = self
        router.get("/v1/workers", self.access.guarding(.read) { _ in try await api.workers() })
        router.get("/metrics", self.access.guarding(.read) { _ in try await api.exposition() })
    }

    func workers() async throws -> HTTPResponse {
        let pools = await self.scheduler.snapshot()
        var workers: [WorkerPoolRepresentation] = []
        for pool in pools {
            workers.append(WorkerPoolRepresentation(kind: pool.kind.rawValue, concurrency: pool.concurrency, busy: pool.busy, pending: pool.pending,
                                                    warmDaemons: await self.warmDaemons(pool.kind)))
        }
        return try .json(WorkerPools(workers: workers))
    }

    func exposition() async throws -> HTTPResponse {
        let counts = try await self.store.jobCounts()
        let pools = await self.scheduler.snapshot()
        let text = self.metrics.render(jobsByStatus: counts, pools: pools, eventSubscribers: self.events?.subscriberCount ?? 0)
        return HTTPResponse(status: .ok, fields: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8"], body: ResponseBody(string: text))
    }
}

/// The body of `GET /v1/workers`.
struct WorkerPools: Encodable {
    var workers: [WorkerPoolRepresentation]
}

/// One worker pool.
struct WorkerPoolRepresentation: Encodable {
    var kind: String
    var concurrency: Int
    var busy: Int
    var pending: Int
    var warmDaemons: Int?

    enum CodingKeys: String, CodingKey {
        case kind, concurrency, busy, pending
        case warmDaemons = "warm_daemons"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.kind, forKey: .kind)
        try container.encode(self.concurrency, forKey: .concurrency)
        try container.encode(self.busy, forKey: .busy)
        try container.encode(self.pending, forKey: .pending)
        try container.encode(self.warmDaemons, forKey: .warmDaemons)
    }
}
