// slipway — API server tests
// SPDX-License-Identifier: Apache-2.0

import API
import HTTP
import Jobs
import Testing

@Suite("tokens and scopes")
struct AuthTests {
    enum Caller: String, CaseIterable, Sendable {
        case anonymous, wrong, reader, submitter, admin

        var token: String? {
            switch self {
            case .anonymous: nil
            case .wrong: "not-a-token-0123456789abcdef"
            case .reader: APIServer.readToken
            case .submitter: APIServer.submitToken
            case .admin: APIServer.adminToken
            }
        }
    }

    /// Each endpoint and the scope that guards it.
    static let endpoints: [(method: HTTPMethod, path: String, scope: APIScope)] = [
        (.get, "/v1/jobs", .read), (.get, "/v1/jobs/1", .read), (.get, "/v1/jobs/1/log", .read),
        (.get, "/v1/pipelines", .read), (.get, "/v1/pipelines/1", .read), (.get, "/v1/workers", .read), (.get, "/metrics", .read),
        (.post, "/v1/jobs", .submit), (.post, "/v1/jobs/1/cancel", .submit), (.post, "/v1/jobs/2/retry", .submit),
        (.post, "/v1/pipelines/1/cancel", .admin),
    ]

    static func expectedStatus(_ caller: Caller, _ scope: APIScope, anonymousRead: Bool) -> Int? {
        switch caller {
        case .anonymous: return scope == .read && anonymousRead ? nil : 401
        case .wrong: return 401
        case .reader: return scope == .read ? nil : 403
        case .submitter: return scope == .admin ? 403 : nil
        case .admin: return nil
        }
    }

    @Test("every endpoint and caller", arguments: [false, true])
    func endpointsAndCallers(anonymousRead: Bool) async throws {
        try await withAPIServer(configure: APIServer.withTokens(anonymousRead: anonymousRead)) { server in
            let pipeline = try await server.store.insertPipeline(project: "group/app", ref: "main", sha: nil, source: "push", at: .now)
            for caller in Caller.allCases {
                for endpoint in Self.endpoints {
                    // Fresh targets so that allowed calls succeed: a pending job to cancel, a finished one to retry.
                    try await server.insertJob(APIServer.specification(pipelineID: pipeline.id), status: .pending)
                    let finished = try await server.insertJob(status: .failed)
                    let path = endpoint.path.replacingOccurrences(of: "/v1/jobs/2/retry", with: "/v1/jobs/\(finished.id)/retry")
                        .replacingOccurrences(of: "/v1/jobs/1/cancel", with: "/v1/jobs/\(finished.id.rawValue - 1)/cancel")
                    let body = endpoint.method == .post && path == "/v1/jobs"
                        ? #"{"name":"a","image":"busybox","script":["true"],"worker":"host"}"# : nil
                    let response = try await server.request(endpoint.method, path, body: body, token: caller.token)
                    if let expected = Self.expectedStatus(caller, endpoint.scope, anonymousRead: anonymousRead) {
                        #expect(response.status == expected, "\(caller) \(endpoint.method) \(path)")
                        #expect(response.fields["Content-Type"] == "application/problem+json")
                        let challenge = response.fields["WWW-Authenticate"] ?? ""
                        #expect(challenge.hasPrefix("Bearer realm=\"slipway\""), "\(caller) \(path)")
                        if expected == 403 { #expect(challenge.contains("insufficient_scope")) }
                    } else {
                        #expect((200..<300).contains(response.status), "\(caller) \(endpoint.method) \(path): \(response.status) \(response.text)")
                    }
                }
            }
            // The health endpoints stay open to everyone.
            #expect(try await server.request(.get, "/healthz").status == 200)
            #expect(try await server.request(.get, "/readyz").status == 503)
        }
    }

    @Test("malformed Authorization headers are 401", arguments: ["Basic abc", "Bearer", "Bearer ", "bearer\(APIServer.submitToken)", "Token x"])
    func malformedHeaders(header: String) async throws {
        try await withAPIServer(configure: APIServer.withTokens(anonymousRead: true)) { server in
            let response = try await server.request(.get, "/v1/jobs", fields: [("Authorization", header)])
            #expect(response.status == 401)
        }
    }

    @Test func schemeIsCaseInsensitiveAndTokenValuesAreNeverLogged() async throws {
        try await withAPIServer(configure: APIServer.withTokens()) { server in
            let ok = try await server.request(.get, "/v1/jobs", fields: [("Authorization", "bEaReR \(APIServer.readToken)")])
            #expect(ok.status == 200)
            _ = try await server.request(.get, "/v1/jobs", token: "wrong-\(APIServer.submitToken)")
            _ = try await server.request(.post, "/v1/jobs", body: "{}", token: APIServer.submitToken)
            let lines = server.logs.lines
            #expect(lines.contains { $0.contains("/v1/jobs") }, "the access log is on at debug level")
            for secret in [APIServer.readToken, APIServer.submitToken, APIServer.adminToken] {
                #expect(!lines.contains { $0.contains(secret) })
            }
            let token = APIToken(name: "ci", secret: APIServer.submitToken, scope: .submit)
            #expect(!"\(token)".contains(APIServer.submitToken) && !String(reflecting: token).contains(APIServer.submitToken))
        }
    }

    @Test("scopes nest", arguments: APIScope.allCases)
    func scopesNest(scope: APIScope) {
        #expect(scope.grants(.read))
        #expect(scope.grants(.submit) == (scope != .read))
        #expect(scope.grants(.admin) == (scope == .admin))
    }

    @Test func noTokensMeansOpen() async throws {
        try await withAPIServer { server in
            let response = try await server.request(.post, "/v1/jobs", body: #"{"name":"a","image":"busybox","script":["true"],"worker":"host"}"#)
            #expect(response.status == 201)
        }
    }
}
