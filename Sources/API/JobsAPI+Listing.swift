// slipway — API
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import HTTP
import Jobs

/// `GET /v1/jobs`: filters, newest first, cursor pagination.
extension JobsAPI {
    /// A page of jobs: `{"jobs": [...], "next": "/v1/jobs?...&cursor=..." | null}`, with the
    /// same `next` link in a `Link: <…>; rel="next"` header.
    func list(_ request: HTTPRequest) async throws -> HTTPResponse {
        let query = try Self.pageQuery(request)
        return Self.pageResponse(try await self.store.jobSummaries(matching: query), of: query, for: request)
    }

    /// ``list(_:)`` on the event loop; nil when the store would take too long to answer there.
    func listNow(_ request: HTTPRequest) throws -> HTTPResponse? {
        guard let loopReads else { return nil }
        let query = try Self.pageQuery(request)
        guard let jobs = try loopReads.jobSummariesNow(matching: query) else { return nil }
        return Self.pageResponse(jobs, of: query, for: request)
    }

    /// The store query for a page: the filters, and one row more than the page holds, which
    /// tells whether there is a next page without a count.
    private static func pageQuery(_ request: HTTPRequest) throws -> JobQuery {
        let parameters = QueryParameters(request)
        var query = try parameters.jobQuery()
        query.limit = try parameters.limit() + 1
        query.beforeID = try parameters.cursor().map { JobID(rawValue: $0) }
        return query
    }

    /// Consumes `jobs`: dropping the extra row from an array shared with the caller would copy
    /// every row.
    private static func pageResponse(_ jobs: consuming [JobSummary], of query: JobQuery, for request: HTTPRequest) -> HTTPResponse {
        let pageSize = query.limit - 1
        var next: String?
        if jobs.count > pageSize {
            jobs.removeLast(jobs.count - pageSize)
            next = PageCursor.nextLink(for: request, after: jobs.last!.id.rawValue)
        }
        var response = HTTPResponse.json(bytes: Self.page(jobs, next: next, now: Date()))
        if let next { response.fields.append(name: "Link", value: "<\(next)>; rel=\"next\"") }
        return response
    }

    /// The body of `GET /v1/jobs`, keys sorted as ``HTTP/JSONCoding`` sorts them. One `now`
    /// for the whole page, so every running job's durations are measured to the same instant.
    static func page(_ jobs: [JobSummary], next: String?, now: Date) -> [UInt8] {
        var json = JSONBuffer(capacity: 32 + jobs.count * JobRepresentation.typicalSize + (next?.utf8.count ?? 4))
        json.raw(#"{"jobs":["#)
        for index in jobs.indices {
            if index > 0 { json.raw(",") }
            JobRepresentation.write(jobs[index], now: now, into: &json)
        }
        json.raw(#"],"next":"#)
        json.string(next)
        json.raw("}")
        return json.bytes
    }

    static func page(_ value: some Encodable, next: String?) throws -> HTTPResponse {
        var response = try HTTPResponse.json(value)
        if let next { response.fields.append(name: "Link", value: "<\(next)>; rel=\"next\"") }
        return response
    }
}
