// slipway — API
// SPDX-License-Identifier: Apache-2.0

import Jobs

/// The reads `GET /v1/jobs/{id}` and `GET /v1/jobs` answer with on the connection's event-loop
/// thread (``HTTP/RouteHandler/immediateOrAsync(immediate:async:)``): a WAL reader of that
/// thread's own answers a lookup in microseconds without waiting for the writer, cheaper than a
/// task and the hops to a reader thread and back.
///
/// Both block the calling thread for as long as the read takes, so only an event loop calls
/// them, never Swift's cooperative pool.
public protocol JobReadsOnTheLoop: Sendable {
    /// What `GET /v1/jobs/{id}` shows of job `id`, or nil.
    @available(*, noasync, message: "blocks the calling thread; async code uses JobCatalog.jobSummary(_:)")
    func jobSummaryNow(_ id: JobID) throws -> JobSummary?

    /// The jobs matching `query`; nil when the query would take longer than an event loop
    /// should spend on one request (a filter no index serves scans rows), so that the caller
    /// asks ``JobCatalog/jobSummaries(matching:)`` instead.
    @available(*, noasync, message: "blocks the calling thread; async code uses JobCatalog.jobSummaries(matching:)")
    func jobSummariesNow(matching query: JobQuery) throws -> [JobSummary]?
}
