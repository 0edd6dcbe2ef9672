// slipway — API
// SPDX-License-Identifier: Apache-2.0

import HTTP
import Jobs

/// `GET /v1/jobs`: filters, newest first, cursor pagination.
extension JobsAPI {
    /// A page of jobs: `{"jobs": [...], "next": "/v1/jobs?...&cursor=..." | null}`, with the
    /// same `next` link in a `Link: <…>; rel="next"` header.
    func list(_ request: HTTPRequest) async throws -> HTTPResponse {
        let parameters = QueryParameters(request)
        var query = try parameters.jobQuery()
        query.limit = try parameters.limit()
        query.beforeID = try parameters.cursor().map { JobID(rawValue: $0) }
        let pageSize = query.limit
        // One more than asked: whether there is a next page, without a count.
        query.limit += 1
        var jobs = try await self.store.jobs(matching: query)
        var next: String?
        if jobs.count > pageSize {
            jobs.removeLast(jobs.count - pageSize)
            next = PageCursor.nextLink(for: request, after: jobs.last!.id.rawValue)
        }
        return try Self.page(JobPage(jobs: jobs.map { JobRepresentation($0) }, next: next), next: next)
    }

    static func page(_ value: some Encodable, next: String?) throws -> HTTPResponse {
        var response = try HTTPResponse.json(value)
        if let next { response.fields.append(name: "Link", value: "<\(next)>; rel=\"next\"") }
        return response
    }
}

/// The body of `GET /v1/jobs`.
struct JobPage: Encodable {
    var jobs: [JobRepresentation]
    var next: String?

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.jobs, forKey: .jobs)
        try container.encode(self.next, forKey: .next)
    }

    enum CodingKeys: String, CodingKey { case jobs, next }
}
