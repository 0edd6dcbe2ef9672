// slipway — webhook tests
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
import TestSupport

/// `POST /webhooks/gitlab` and `POST /v1/pipelines` against a live server, with GitLab's
/// documented payloads. No Docker engine: pipelines are recorded, and their fetch fails.
@Suite("GitLab webhook endpoint", .serialized)
struct WebhookEndpointTests {
    static let configuration = """
        gitlab:
          max_body_bytes: 64k
        projects:
          - path: mike/diaspora
            id: 15
            webhook_token: \(WebhookServer.hookToken)
            clone_url: file:///nonexistent/slipway-test-repository
            clone_token: \(WebhookServer.cloneToken)
          - {path: jsmith/example, webhook_token: \(WebhookServer.hookToken), clone_url: "file:///nonexistent/example"}
          - {path: gitlabhq/gitlab-test, webhook_token: \(WebhookServer.hookToken), clone_url: "file:///nonexistent/gitlab-test"}
          - {path: gitlab-org/gitlab-test, webhook_token: \(WebhookServer.hookToken)}
          - {path: root/awesome-project, webhook_token: \(WebhookServer.hookToken)}
        """

    func withServer(_ body: (WebhookServer) async throws -> Void) async throws {
        let server = try await WebhookServer.start(yaml: Self.configuration)
        do {
            try await body(server)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    /// Each fixture, and the answer issue 8 asks for.
    static let answers: [(fixture: String, event: String, creates: Bool, reason: String?)] = [
        ("push", "Push Hook", true, nil),
        ("tag_push", "Tag Push Hook", true, nil),
        ("merge_request_open", "Merge Request Hook", true, nil),
        ("merge_request_update_new_commits", "Merge Request Hook", true, nil),
        ("merge_request_update_title", "Merge Request Hook", false, "without new commits"),
        ("merge_request_merge", "Merge Request Hook", false, "merge"),
        ("merge_request_close", "Merge Request Hook", false, "close"),
        ("push_branch_delete", "Push Hook", false, "deleted"),
        ("tag_push_delete", "Tag Push Hook", false, "deleted"),
        ("push_skip_ci", "Push Hook", false, "skip"),
        ("note_snippet", "Note Hook", false, "note"),
        ("wiki_page", "Wiki Page Hook", false, "wiki_page"),
    ]

    @Test func everyFixtureGetsItsAnswer() async throws {
        try await self.withServer { server in
            var created = 0
            for answer in Self.answers {
                let response = try await server.deliver(try Fixture.bytes(answer.fixture), event: answer.event)
                #expect(response.status == 202, "\(answer.fixture): \(response.text)")
                if answer.creates {
                    created += 1
                    #expect(response.json["pipeline_id"] as? Int == created, "\(answer.fixture): \(response.text)")
                } else {
                    let reason = response.json["ignored"] as? String ?? ""
                    #expect(reason.lowercased().contains(answer.reason!.lowercased()), "\(answer.fixture): \(response.text)")
                    #expect(response.json["pipeline_id"] == nil)
                }
            }
            #expect(try await server.application.store.pipelineCount() == created)
            let pipelines = try await server.request(.get, "/v1/pipelines?limit=100").json["pipelines"] as? [[String: Any]] ?? []
            #expect(pipelines.count == created)
            let byProject = Dictionary(grouping: pipelines) { $0["project"] as? String ?? "" }
            #expect(byProject["mike/diaspora"]?.first?["ref"] as? String == "master")
            #expect(byProject["mike/diaspora"]?.first?["sha"] as? String == "da1560886d4f094c3e6c9ef40349f7d38b5d27d7")
            #expect(byProject["mike/diaspora"]?.first?["source"] as? String == "push")
            #expect(byProject["jsmith/example"]?.first?["ref"] as? String == "v1.0.0")
            #expect(byProject["gitlabhq/gitlab-test"]?.allSatisfy { $0["source"] as? String == "merge_request_event" } == true)
            let metrics = try await server.request(.get, "/metrics").text
            #expect(metrics.contains(#"slipway_webhook_deliveries_total{outcome="accepted"} \#(created)"#))
            #expect(metrics.contains(#"slipway_webhook_deliveries_total{outcome="ignored"} \#(Self.answers.count - created)"#))
        }
    }

    @Test func aRedeliveryGetsTheOriginalAnswerAndCreatesNothing() async throws {
        try await self.withServer { server in
            let body = try Fixture.bytes("push")
            let first = try await server.deliver(body, event: "Push Hook", key: "7bafea1a-0000-4000-8000-000000000001")
            let again = try await server.deliver(body, event: "Push Hook", key: "7bafea1a-0000-4000-8000-000000000001")
            #expect(first.status == 202 && again.status == 202)
            #expect(first.text == again.text)
            #expect(again.fields["X-Slipway-Duplicate"] == "true")
            // Idempotency-Key wins over X-Gitlab-Event-UUID (GitLab keeps it on "Resend request").
            let keyed = try await server.request(.post, "/webhooks/gitlab", body: body, fields: [
                ("X-Gitlab-Event", "Push Hook"), ("X-Gitlab-Token", WebhookServer.hookToken),
                ("Idempotency-Key", "resend-key-1"), ("X-Gitlab-Event-UUID", "other-uuid"),
            ])
            let resent = try await server.request(.post, "/webhooks/gitlab", body: body, fields: [
                ("X-Gitlab-Event", "Push Hook"), ("X-Gitlab-Token", WebhookServer.hookToken),
                ("Idempotency-Key", "resend-key-1"), ("X-Gitlab-Event-UUID", "a-new-uuid"),
            ])
            #expect(keyed.json["pipeline_id"] as? Int == 2)
            #expect(resent.text == keyed.text)
            // A new delivery of the same body (another key) is a new pipeline, as in GitLab.
            let other = try await server.deliver(body, event: "Push Hook")
            #expect(other.json["pipeline_id"] as? Int == 3)
            #expect(try await server.application.store.pipelineCount() == 3)
            // Concurrent redeliveries: one pipeline.
            let key = "concurrent-key"
            let statuses = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<8 { group.addTask { try await server.deliver(body, event: "Push Hook", key: key).text } }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(statuses.count == 1, "\(statuses)")
            #expect(try await server.application.store.pipelineCount() == 4)
        }
    }

    @Test func refusalsAreProblemsWithTheirStatus() async throws {
        try await self.withServer { server in
            let push = try Fixture.bytes("push")
            let wrong = try await server.deliver(push, event: "Push Hook", token: "not-the-token")
            #expect(wrong.status == 401)
            #expect(wrong.fields["Content-Type"] == "application/problem+json")
            #expect(wrong.text.contains("does not match"))
            #expect(!wrong.text.contains(WebhookServer.hookToken))
            let missing = try await server.deliver(push, event: "Push Hook", token: nil)
            #expect(missing.status == 401)
            let unknown = try await server.deliver(try Fixture.edited("push") { body in
                body["project_id"] = 999
                var project = body["project"] as! [String: Any]
                project["id"] = 999
                project["path_with_namespace"] = "someone/else"
                body["project"] = project
            }, event: "Push Hook")
            #expect(unknown.status == 404)
            #expect(unknown.text.contains("someone/else"))
            let invalid = try await server.deliver(Array("{not json".utf8), event: "Push Hook")
            #expect(invalid.status == 400)
            let noKind = try await server.deliver(Array(#"{"custom": "template"}"#.utf8), event: "Push Hook")
            #expect(noKind.status == 400)
            #expect(noKind.text.contains("object_kind"))
            let noEvent = try await server.request(.post, "/webhooks/gitlab", body: push, fields: [("X-Gitlab-Token", WebhookServer.hookToken)])
            #expect(noEvent.status == 400)
            let huge = try await server.deliver(Array(repeating: UInt8(ascii: " "), count: 65 * 1024) + push, event: "Push Hook")
            #expect(huge.status == 413)
            #expect(try await server.application.store.pipelineCount() == 0)
            let metrics = try await server.request(.get, "/metrics").text
            #expect(metrics.contains(#"slipway_webhook_deliveries_total{outcome="rejected"} 6"#))
        }
    }

    /// The pipeline is answered before git runs; a fetch that fails fails it with the reason,
    /// and the clone token appears in no answer, log line or stored byte.
    @Test func aFetchFailureFailsThePipelineWithoutShowingTheCloneToken() async throws {
        try await self.withServer { server in
            let response = try await server.deliver(try Fixture.bytes("push"), event: "Push Hook")
            let id = try #require(response.json["pipeline_id"] as? Int)
            let pipeline = try await server.waitForPipeline(id, timeout: .seconds(30))
            #expect(pipeline["status"] as? String == "failed")
            #expect(pipeline["failure_reason"] as? String == "runner_system_failure")
            #expect((pipeline["failure_message"] as? String ?? "").contains("cannot fetch"))
            #expect((pipeline["jobs"] as? [Any])?.isEmpty == true)
            // Events are recorded just after the change itself: wait for it.
            let recorded = try await eventually {
                let events = try await server.application.events.recorded(after: 0, limit: 100)
                return events.contains { $0.subject == .pipeline && $0.status == "failed" && $0.pipelineID == Int64(id) }
            }
            #expect(recorded, "the failed pipeline's event was recorded")
            try Leaks.expectNone(of: WebhookServer.cloneToken, in: server)
        }
    }

    @Test func apiPipelinesAreValidated() async throws {
        try await self.withServer { server in
            func create(_ json: String) async throws -> WebhookServer.Response {
                try await server.request(.post, "/v1/pipelines", body: Array(json.utf8))
            }
            #expect(try await create(#"{"project": "nobody/here", "ref": "main"}"#).status == 422)
            #expect(try await create(#"{"project": "mike/diaspora"}"#).status == 422)
            #expect(try await create(#"{"project": "mike/diaspora", "ref": "main", "sha": "xyz"}"#).status == 422)
            #expect(try await create(#"{"project": "mike/diaspora", "ref": "a..b"}"#).status == 422)
            #expect(try await create(#"{"project": "mike/diaspora", "ref": "main", "extra": 1}"#).status == 422)
            #expect(try await create(#"{"project": "root/awesome-project", "ref": "main"}"#).status == 422)  // no clone_url
            let created = try await create(#"{"project": "mike/diaspora", "ref": "main"}"#)
            #expect(created.status == 201, "\(created.text)")
            #expect(created.json["source"] as? String == "api")
            #expect(created.json["status"] as? String == "created")
            #expect(created.fields["Location"] == "/v1/pipelines/\(created.json["id"] as? Int ?? 0)")
        }
    }
}

/// Checks that a secret appears nowhere: answers, log lines, the store's files, job logs.
enum Leaks {
    static func expectNone(of secret: String, in server: WebhookServer, sourceLocation: SourceLocation = #_sourceLocation) throws {
        for line in server.logs.lines where line.contains(secret) {
            Issue.record("the server logged the secret: \(line)", sourceLocation: sourceLocation)
        }
        for text in server.responses.all where text.contains(secret) {
            Issue.record("a response holds the secret: \(text.prefix(300))", sourceLocation: sourceLocation)
        }
        let needle = Data(secret.utf8)
        let enumerator = FileManager.default.enumerator(atPath: server.dataDirectory)
        var checked = 0
        while let relative = enumerator?.nextObject() as? String {
            let path = "\(server.dataDirectory)/\(relative)"
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            checked += 1
            if data.range(of: needle) != nil { Issue.record("\(relative) holds the secret", sourceLocation: sourceLocation) }
        }
        #expect(checked >= 2, "the store and logs were read", sourceLocation: sourceLocation)
    }
}
