// slipway — HTTP tests
// SPDX-License-Identifier: Apache-2.0

import Testing
@testable import HTTP

@Suite("router")
struct RouterTests {
    static func makeRouter() -> Router {
        var router = Router()
        let ok: @Sendable (HTTPRequest) throws -> HTTPResponse = { _ in .text("ok") }
        router.on(.get, "/healthz", immediate: ok)
        router.on(.get, "/v1/jobs", immediate: ok)
        router.on(.post, "/v1/jobs", immediate: ok)
        router.on(.get, "/v1/jobs/{id}", immediate: ok)
        router.on(.get, "/v1/jobs/{id}/log", immediate: ok)
        router.on(.post, "/v1/jobs/{id}/cancel", immediate: ok)
        router.on(.get, "/v1/jobs/stats", immediate: ok)
        return router
    }

    static let cases: [(method: HTTPMethod, path: String, route: String?, parameters: [String: String], allowed: [String]?)] = [
        (.get, "/healthz", "/healthz", [:], nil),
        (.head, "/healthz", "/healthz", [:], nil),
        (.get, "/v1/jobs", "/v1/jobs", [:], nil),
        (.post, "/v1/jobs", "/v1/jobs", [:], nil),
        (.get, "/v1/jobs/42", "/v1/jobs/{id}", ["id": "42"], nil),
        (.get, "/v1/jobs/a%20b", "/v1/jobs/{id}", ["id": "a b"], nil),
        (.get, "/v1/jobs/a%2Fb/log", "/v1/jobs/{id}/log", ["id": "a/b"], nil),
        (.get, "/v1/jobs/stats", "/v1/jobs/stats", [:], nil),
        (.post, "/v1/jobs/7/cancel", "/v1/jobs/{id}/cancel", ["id": "7"], nil),
        (.get, "/v1/jobs/7/cancel", nil, [:], ["POST"]),
        (.delete, "/v1/jobs", nil, [:], ["GET", "HEAD", "POST"]),
        (.get, "/v1/jobs//log", nil, [:], nil),
        (.get, "/nope", nil, [:], nil),
        (.get, "/", nil, [:], nil),
        (.get, "/healthz/", nil, [:], nil),
    ]

    @Test(arguments: cases)
    func matches(_ testCase: (method: HTTPMethod, path: String, route: String?, parameters: [String: String], allowed: [String]?)) {
        let match = Self.makeRouter().match(testCase.method, path: Substring(testCase.path))
        switch match {
        case .found(let route, let parameters):
            #expect(route.pattern == testCase.route, "\(testCase.method) \(testCase.path)")
            #expect(parameters == testCase.parameters)
        case .methodNotAllowed(let allowed):
            #expect(testCase.route == nil)
            #expect(allowed.map(\.rawValue) == testCase.allowed, "\(testCase.method) \(testCase.path)")
        case .notFound:
            #expect(testCase.route == nil && testCase.allowed == nil, "\(testCase.method) \(testCase.path)")
        }
    }
}
