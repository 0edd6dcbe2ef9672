// slipway — API server tests
// SPDX-License-Identifier: Apache-2.0

import Foundation
import HTTP
import Jobs
import Testing

@Suite("GET /v1/jobs: filters and pagination")
struct JobListTests {
    /// Twelve jobs across statuses, workers, projects, refs and pipelines (ids 1…12 in order).
    static func seed(_ server: APIServer) async throws {
        let base = Date(timeIntervalSince1970: 1_800_000_000)
        let rows: [(JobStatus, WorkerKind, String?, String?, Int64?)] = [
            (.pending, .host, "group/app", "main", nil),      // 1
            (.running, .host, "group/app", "main", 7),        // 2
            (.success, .dind, "group/app", "dev", 7),         // 3
            (.failed, .dind, "group/lib", "main", nil),       // 4
            (.canceled, .host, "group/lib", "dev", 8),        // 5
            (.running, .dind, "group/lib", "main", 8),        // 6
            (.pending, .dind, nil, nil, nil),                  // 7
            (.success, .host, "group/app", "main", nil),      // 8
            (.created, .host, "group/app", "v1.0", 9),        // 9
            (.skipped, .dind, "group/app", "v1.0", 9),        // 10
            (.running, .host, "other/x", "main", nil),        // 11
            (.failed, .host, "other/x", "dev", nil),          // 12
        ]
        for (index, row) in rows.enumerated() {
            let specification = APIServer.specification(name: "job\(index + 1)", worker: row.1, project: row.2, ref: row.3, pipelineID: row.4)
            try await server.insertJob(specification, status: row.0, at: base.addingTimeInterval(Double(index) * 60))
        }
    }

    static func ids(_ response: APIServer.Response) -> [Int] {
        (response.json["jobs"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
    }

    static let filterCases: [(query: String, expected: [Int])] = [
        ("", [12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]),
        ("status=running", [11, 6, 2]),
        ("status=running&status=pending", [11, 7, 6, 2, 1]),
        ("status=success,failed", [12, 8, 4, 3]),
        ("worker=dind", [10, 7, 6, 4, 3]),
        ("project=group%2Flib", [6, 5, 4]),
        ("ref=v1.0", [10, 9]),
        ("pipeline_id=7", [3, 2]),
        ("status=running&worker=host&ref=main", [11, 2]),
        ("created_after=2027-01-15T08:05:00Z", [12, 11, 10, 9, 8, 7, 6]),
        ("created_before=2027-01-15T08:02:00Z", [2, 1]),
        ("created_after=2027-01-15T08:02:00Z&created_before=2027-01-15T08:04:00Z", [4, 3]),
        ("project=nobody", []),
    ]

    @Test("filters", arguments: Self.filterCases)
    func filters(query: String, expected: [Int]) async throws {
        try await withAPIServer { server in
            try await Self.seed(server)
            let response = try await server.request(.get, "/v1/jobs?limit=100&\(query)")
            #expect(response.status == 200)
            #expect(Self.ids(response) == expected, "query \(query)")
        }
    }

    static let invalidCases: [(query: String, field: String)] = [
        ("status=bogus", "status"), ("worker=vm", "worker"), ("pipeline_id=-1", "pipeline_id"), ("pipeline_id=abc", "pipeline_id"),
        ("created_after=yesterday", "created_after"), ("created_before=2026-13-01T00:00:00Z", "created_before"),
        ("limit=0", "limit"), ("limit=101", "limit"), ("limit=ten", "limit"), ("cursor=not-a-cursor", "cursor"),
        ("cursor=-5", "cursor"), ("cursor=1234567890123456789", "cursor"), ("cursor=", "cursor"),
    ]

    @Test("invalid parameters are 400 naming the parameter", arguments: Self.invalidCases)
    func invalidParameters(query: String, field: String) async throws {
        try await withAPIServer { server in
            let response = try await server.request(.get, "/v1/jobs?\(query)")
            #expect(response.status == 400)
            #expect(response.fields["Content-Type"] == "application/problem+json")
            #expect(response.json["field"] as? String == field)
        }
    }

    @Test func paginatesNewestFirstWithCursorsAndLinkHeaders() async throws {
        try await withAPIServer { server in

            // Empty store: no jobs, no next.
            let empty = try await server.request(.get, "/v1/jobs")
            #expect(empty.status == 200 && Self.ids(empty).isEmpty)
            #expect(empty.json["next"] is NSNull)
            #expect(empty.fields["Link"] == nil)

            try await Self.seed(server)
            // Exactly one page: limit equal to the count has no next page.
            let exact = try await server.request(.get, "/v1/jobs?limit=12")
            #expect(Self.ids(exact).count == 12)
            #expect(exact.json["next"] is NSNull && exact.fields["Link"] == nil)

            // Walk pages of 5 with a filter; the filter travels in the next link.
            var seen: [Int] = []
            var target: String? = "/v1/jobs?limit=5&project=group%2Fapp"
            var pages = 0
            while let current = target {
                let page = try await server.request(.get, current)
                #expect(page.status == 200)
                seen += Self.ids(page)
                target = page.json["next"] as? String
                if let target {
                    #expect(page.fields["Link"] == "<\(target)>; rel=\"next\"")
                    #expect(target.contains("project=group%2Fapp") && target.contains("limit=5"))
                }
                pages += 1
            }
            #expect(seen == [10, 9, 8, 3, 2, 1])
            #expect(pages == 2)

            // A cursor at the very end: an empty page, no next.
            let lastPage = try await server.request(.get, "/v1/jobs?limit=12")
            let lastID = Self.ids(lastPage).last!
            let cursor = Self.cursor(after: lastID)
            let end = try await server.request(.get, "/v1/jobs?cursor=\(cursor)")
            #expect(end.status == 200 && Self.ids(end).isEmpty && end.json["next"] is NSNull)

            // New jobs at the top never shift a page already being walked.
            let first = try await server.request(.get, "/v1/jobs?limit=3")
            try await server.insertJob(status: .pending)
            let second = try await server.request(.get, first.json["next"] as! String)
            #expect(Self.ids(first) == [12, 11, 10] && Self.ids(second) == [9, 8, 7])
        }
    }

    /// The event loop answers a list itself only while SQLite reads little more than the page;
    /// a filter that scans thousands of rows is answered by a reader thread, with the same
    /// result and pagination.
    @Test func aFilterThatScansIsAnsweredOffTheEventLoop() async throws {
        try await withAPIServer { server in
            let base = Date(timeIntervalSince1970: 1_800_000_000)
            for index in 0..<2 {
                _ = try await server.insertJob(APIServer.specification(name: "rare\(index)", ref: "rare"), status: .pending, at: base)
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<6_000 {
                    group.addTask { _ = try await server.insertJob(status: .pending, at: base.addingTimeInterval(Double(index + 1))) }
                }
                try await group.waitForAll()
            }
            let first = try await server.request(.get, "/v1/jobs?ref=rare&limit=1")
            #expect(first.status == 200)
            #expect(Self.ids(first) == [2])
            let next = try #require(first.json["next"] as? String)
            let second = try await server.request(.get, next)
            #expect(Self.ids(second) == [1])
            #expect(second.json["next"] is NSNull)
        }
    }

    /// The cursor format the server uses (the last id of the page).
    static func cursor(after id: Int) -> String { String(id) }
}
