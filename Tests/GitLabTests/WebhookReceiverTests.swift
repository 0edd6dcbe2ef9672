// slipway — GitLab tests
// SPDX-License-Identifier: Apache-2.0

import GitLab
import Testing

@Suite struct WebhookReceiverTests {
    let receiver = WebhookReceiver(projects: Fixture.projects)

    enum Expected: Sendable, CustomStringConvertible {
        case pipeline(source: PipelineTrigger.Source, ref: PipelineRef, sha: String)
        case ignored(WebhookIgnoreReason)

        var description: String {
            switch self {
            case .pipeline(let source, let ref, _): "pipeline \(source) \(ref)"
            case .ignored(let reason): "ignored \(reason)"
            }
        }
    }

    struct Case: Sendable, CustomStringConvertible {
        var fixture: String
        var event: String
        var token: String
        var expected: Expected
        var description: String { self.fixture }
    }

    static let cases: [Case] = [
        Case(fixture: "push", event: "Push Hook", token: "push-secret",
             expected: .pipeline(source: .push, ref: .branch("master"), sha: "da1560886d4f094c3e6c9ef40349f7d38b5d27d7")),
        Case(fixture: "tag_push", event: "Tag Push Hook", token: "tag-secret",
             expected: .pipeline(source: .push, ref: .tag("v1.0.0"), sha: "82b3d5ae55f7080f1e6022629cdb57bfae7cccc7")),
        Case(fixture: "merge_request_open", event: "Merge Request Hook", token: "mr-secret",
             expected: .pipeline(source: .mergeRequestEvent, ref: .branch("ms-viewport"), sha: "da1560886d4f094c3e6c9ef40349f7d38b5d27d7")),
        Case(fixture: "merge_request_update_new_commits", event: "Merge Request Hook", token: "mr-secret",
             expected: .pipeline(source: .mergeRequestEvent, ref: .branch("ms-viewport"), sha: "da1560886d4f094c3e6c9ef40349f7d38b5d27d7")),
        Case(fixture: "merge_request_update_title", event: "Merge Request Hook", token: "mr-secret",
             expected: .ignored(.mergeRequestWithoutNewCommits(iid: 1))),
        Case(fixture: "merge_request_merge", event: "Merge Request Hook", token: "mr-secret", expected: .ignored(.mergeRequestAction("merge"))),
        Case(fixture: "merge_request_close", event: "Merge Request Hook", token: "mr-secret", expected: .ignored(.mergeRequestAction("close"))),
        Case(fixture: "push_branch_delete", event: "Push Hook", token: "push-secret", expected: .ignored(.refDeleted(.branch("master")))),
        Case(fixture: "tag_push_delete", event: "Tag Push Hook", token: "tag-secret", expected: .ignored(.refDeleted(.tag("v1.0.0")))),
        Case(fixture: "push_skip_ci", event: "Push Hook", token: "push-secret",
             expected: .ignored(.skipRequested(ref: .branch("master"), sha: "da1560886d4f094c3e6c9ef40349f7d38b5d27d7"))),
        Case(fixture: "wiki_page", event: "Wiki Page Hook", token: "wiki-secret",
             expected: .ignored(.unsupportedEvent(objectKind: "wiki_page", header: "Wiki Page Hook"))),
        Case(fixture: "note_snippet", event: "Note Hook", token: "note-secret",
             expected: .ignored(.unsupportedEvent(objectKind: "note", header: "Note Hook"))),
    ]

    @Test(arguments: Self.cases)
    func classifiesDocumentedPayloads(_ testCase: Case) throws {
        let decision = receiver.receive(
            headers: Fixture.headers(event: testCase.event, token: testCase.token, idempotencyKey: "key-\(testCase.fixture)"),
            body: try Fixture.body(testCase.fixture))
        #expect(decision.status == 202)
        #expect(decision.deduplicationKey == "key-\(testCase.fixture)")
        switch (decision.outcome, testCase.expected) {
        case (.createPipeline(let trigger), .pipeline(let source, let ref, let sha)):
            #expect(trigger.source == source)
            #expect(trigger.ref == ref)
            #expect(trigger.sha == sha)
        case (.ignored(let reason), .ignored(let expected)):
            #expect(reason == expected)
            let body = String(decoding: decision.responseBody(), as: UTF8.self)
            #expect(body.hasPrefix(#"{"ignored":""#), "\(body)")
        default:
            Issue.record("\(testCase.fixture): got \(decision.outcome), expected \(testCase.expected)")
        }
    }

    // MARK: - Variables, field by field

    @Test func pushVariables() throws {
        let trigger = try self.trigger("push", event: "Push Hook", token: "push-secret")
        #expect(trigger.cloneURL == "http://example.com/mike/diaspora.git")
        #expect(trigger.beforeSHA == "95790bf891e76fee5e1747ab589903a6a1f80f22")
        let variables = PredefinedVariables.pipeline(trigger, pipelineID: 42)
            .merging(PredefinedVariables.job(name: "build", stage: "build", jobID: 7, projectDirectory: "/srv/w/7")) { _, new in new }
        #expect(variables == [
            "CI": "true",
            "GITLAB_CI": "true",
            "CI_PIPELINE_ID": "42",
            "CI_PIPELINE_SOURCE": "push",
            "CI_JOB_ID": "7",
            "CI_JOB_NAME": "build",
            "CI_JOB_STAGE": "build",
            "CI_COMMIT_SHA": "da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
            "CI_COMMIT_SHORT_SHA": "da156088",
            "CI_COMMIT_BEFORE_SHA": "95790bf891e76fee5e1747ab589903a6a1f80f22",
            "CI_COMMIT_REF_NAME": "master",
            "CI_COMMIT_REF_SLUG": "master",
            "CI_COMMIT_BRANCH": "master",
            "CI_COMMIT_MESSAGE": "fixed readme",
            "CI_COMMIT_TITLE": "fixed readme",
            "CI_DEFAULT_BRANCH": "master",
            "CI_PROJECT_ID": "15",
            "CI_PROJECT_PATH": "mike/diaspora",
            "CI_PROJECT_NAME": "diaspora",
            "CI_PROJECT_NAMESPACE": "mike",
            "CI_PROJECT_DIR": "/srv/w/7",
            "CI_PROJECT_URL": "http://example.com/mike/diaspora",
            "GITLAB_USER_LOGIN": "jsmith",
        ])
    }

    @Test func tagPushVariables() throws {
        let trigger = try self.trigger("tag_push", event: "Tag Push Hook", token: "tag-secret")
        let variables = PredefinedVariables.pipeline(trigger, pipelineID: 3)
        #expect(variables == [
            "CI": "true",
            "GITLAB_CI": "true",
            "CI_PIPELINE_ID": "3",
            "CI_PIPELINE_SOURCE": "push",
            "CI_COMMIT_SHA": "82b3d5ae55f7080f1e6022629cdb57bfae7cccc7",
            "CI_COMMIT_SHORT_SHA": "82b3d5ae",
            "CI_COMMIT_BEFORE_SHA": "0000000000000000000000000000000000000000",
            "CI_COMMIT_REF_NAME": "v1.0.0",
            "CI_COMMIT_REF_SLUG": "v1-0-0",
            "CI_COMMIT_TAG": "v1.0.0",
            "CI_DEFAULT_BRANCH": "master",
            "CI_PROJECT_ID": "1",
            "CI_PROJECT_PATH": "jsmith/example",
            "CI_PROJECT_NAME": "example",
            "CI_PROJECT_NAMESPACE": "jsmith",
            "CI_PROJECT_URL": "http://example.com/jsmith/example",
        ])
        // The tag payload carries no commit and no user_username: the message comes from the
        // checkout (GitRepositoryMirror.commitMessage), and there is no login to report.
        #expect(trigger.commitMessage == nil)
        #expect(trigger.userLogin == nil)
    }

    @Test(arguments: ["merge_request_open", "merge_request_update_new_commits"])
    func mergeRequestVariables(_ fixture: String) throws {
        let trigger = try self.trigger(fixture, event: "Merge Request Hook", token: "mr-secret")
        #expect(trigger.cloneURL == "http://example.com/gitlabhq/gitlab-test.git")
        let variables = PredefinedVariables.pipeline(trigger, pipelineID: 9)
        #expect(variables == [
            "CI": "true",
            "GITLAB_CI": "true",
            "CI_PIPELINE_ID": "9",
            "CI_PIPELINE_SOURCE": "merge_request_event",
            "CI_COMMIT_SHA": "da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
            "CI_COMMIT_SHORT_SHA": "da156088",
            "CI_COMMIT_BEFORE_SHA": "0000000000000000000000000000000000000000",
            "CI_COMMIT_REF_NAME": "ms-viewport",
            "CI_COMMIT_REF_SLUG": "ms-viewport",
            "CI_COMMIT_MESSAGE": "fixed readme",
            "CI_COMMIT_TITLE": "fixed readme",
            "CI_DEFAULT_BRANCH": "master",
            "CI_PROJECT_ID": "1",
            "CI_PROJECT_PATH": "gitlabhq/gitlab-test",
            "CI_PROJECT_NAME": "gitlab-test",
            "CI_PROJECT_NAMESPACE": "gitlabhq",
            "CI_PROJECT_URL": "http://example.com/gitlabhq/gitlab-test",
            "CI_MERGE_REQUEST_IID": "1",
            "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "ms-viewport",
            "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "master",
            "GITLAB_USER_LOGIN": "root",
        ])
    }

    @Test func configuredCloneURLWinsOverThePayload() throws {
        var projects = Fixture.projects
        projects[0].cloneURL = "https://mirror.internal/mike/diaspora.git"
        let decision = WebhookReceiver(projects: projects).receive(
            headers: Fixture.headers(event: "Push Hook", token: "push-secret"), body: try Fixture.body("push"))
        guard case .createPipeline(let trigger) = decision.outcome else { Issue.record("\(decision.outcome)"); return }
        #expect(trigger.cloneURL == "https://mirror.internal/mike/diaspora.git")
    }

    // MARK: - Refusals

    struct Refusal: Sendable, CustomStringConvertible {
        var name: String
        var headers: WebhookHeaders
        var body: [UInt8]?
        var status: Int
        var messageContains: String
        var description: String { self.name }
    }

    static let refusals: [Refusal] = [
        Refusal(name: "no X-Gitlab-Event", headers: WebhookHeaders([("X-Gitlab-Token", "push-secret")]), body: nil, status: 400,
                messageContains: "X-Gitlab-Event"),
        Refusal(name: "invalid JSON", headers: Fixture.headers(event: "Push Hook", token: "push-secret"), body: Array("{\"object_kind\": ".utf8),
                status: 400, messageContains: "not valid JSON"),
        Refusal(name: "not an object", headers: Fixture.headers(event: "Push Hook", token: "push-secret"), body: Array("[1,2]".utf8),
                status: 400, messageContains: "Push Hook body"),
        Refusal(name: "no object_kind (custom template)", headers: Fixture.headers(event: "Push Hook", token: "push-secret"),
                body: Array(#"{"project": {"id": 15}}"#.utf8), status: 400, messageContains: "custom webhook templates"),
        Refusal(name: "no project (system hook)", headers: Fixture.headers(event: "System Hook", token: "x"),
                body: Array(#"{"object_kind": "user_create"}"#.utf8), status: 400, messageContains: "system hooks"),
        Refusal(name: "unknown project", headers: Fixture.headers(event: "Push Hook", token: "push-secret"),
                body: Array(#"{"object_kind": "push", "project": {"id": 99, "path_with_namespace": "other/app"}}"#.utf8),
                status: 404, messageContains: "other/app is not configured"),
        Refusal(name: "missing token", headers: Fixture.headers(event: "Push Hook", token: nil), body: nil, status: 401,
                messageContains: "X-Gitlab-Token is missing"),
        Refusal(name: "wrong token", headers: Fixture.headers(event: "Push Hook", token: "push-secreT"), body: nil, status: 401,
                messageContains: "does not match"),
        Refusal(name: "another project's token", headers: Fixture.headers(event: "Push Hook", token: "tag-secret"), body: nil,
                status: 401, messageContains: "mike/diaspora"),
        Refusal(name: "token prefix", headers: Fixture.headers(event: "Push Hook", token: "push-secret-and-more"), body: nil,
                status: 401, messageContains: "does not match"),
        Refusal(name: "push without ref", headers: Fixture.headers(event: "Push Hook", token: "push-secret"),
                body: Array(#"{"object_kind": "push", "project_id": 15, "project": {"id": 15}}"#.utf8), status: 400,
                messageContains: "missing field ref"),
        Refusal(name: "push of a note ref", headers: Fixture.headers(event: "Push Hook", token: "push-secret"),
                body: Array(#"{"object_kind": "push", "ref": "refs/notes/x", "checkout_sha": "ab", "project": {"id": 15}}"#.utf8),
                status: 400, messageContains: "refs/notes/x"),
    ]

    @Test(arguments: Self.refusals)
    func refuses(_ refusal: Refusal) throws {
        let decision = receiver.receive(headers: refusal.headers, body: try refusal.body ?? Fixture.body("push"))
        #expect(decision.status == refusal.status)
        guard case .rejected(let error) = decision.outcome else {
            Issue.record("\(refusal.name): not rejected: \(decision.outcome)")
            return
        }
        #expect(error.httpStatus == refusal.status)
        #expect(error.message.contains(refusal.messageContains), "\(error.message)")
        // An unauthenticated request must not claim a dedup slot.
        #expect(decision.deduplicationKey == nil)
    }

    // MARK: - Headers and details

    @Test func deduplicationKeyPrefersIdempotencyKey() throws {
        let body = try Fixture.body("push")
        let both = receiver.receive(headers: Fixture.headers(event: "Push Hook", token: "push-secret", idempotencyKey: "idem", eventUUID: "uuid"),
                                    body: body)
        #expect(both.deduplicationKey == "idem")
        let uuidOnly = receiver.receive(headers: Fixture.headers(event: "Push Hook", token: "push-secret", eventUUID: "uuid"), body: body)
        #expect(uuidOnly.deduplicationKey == "uuid")
        let neither = receiver.receive(headers: Fixture.headers(event: "Push Hook", token: "push-secret"), body: body)
        #expect(neither.deduplicationKey == nil)
        let blank = receiver.receive(headers: WebhookHeaders([("x-gitlab-event", "Push Hook"), ("X-GITLAB-TOKEN", "push-secret"),
                                                              ("idempotency-key", "  ")]), body: body)
        #expect(blank.deduplicationKey == nil)
        #expect(blank.status == 202, "header names are case-insensitive")
    }

    @Test func responseBodies() throws {
        let decision = receiver.receive(headers: Fixture.headers(event: "Push Hook", token: "push-secret"), body: try Fixture.body("push"))
        #expect(String(decoding: decision.responseBody(pipelineID: 17), as: UTF8.self) == #"{"pipeline_id":17}"#)
        let rejected = receiver.receive(headers: Fixture.headers(event: "Push Hook", token: "nope"), body: try Fixture.body("push"))
        #expect(String(decoding: rejected.responseBody(), as: UTF8.self).hasPrefix(#"{"error":"#))
    }

    @Test func pushOptionCISkip() throws {
        var text = String(decoding: try Fixture.body("push"), as: UTF8.self)
        text = text.replacingOccurrences(of: #""total_commits_count": 4"#, with: #""total_commits_count": 4, "push_options": {"ci": {"skip": true}}"#)
        let decision = receiver.receive(headers: Fixture.headers(event: "Push Hook", token: "push-secret"), body: Array(text.utf8))
        guard case .ignored(.skipRequested) = decision.outcome else { Issue.record("\(decision.outcome)"); return }
    }

    @Test func projectMatchedByIDAfterRename() throws {
        var text = String(decoding: try Fixture.body("push"), as: UTF8.self)
        text = text.replacingOccurrences(of: #""path_with_namespace":"mike/diaspora""#, with: #""path_with_namespace":"mike/renamed""#)
        let decision = receiver.receive(headers: Fixture.headers(event: "Push Hook", token: "push-secret"), body: Array(text.utf8))
        #expect(decision.project?.path == "mike/diaspora")
        guard case .createPipeline(let trigger) = decision.outcome else { Issue.record("\(decision.outcome)"); return }
        #expect(trigger.project.path == "mike/renamed", "CI_PROJECT_PATH follows GitLab, not the old configured name")
    }

    @Test(arguments: [
        ("fix [skip ci]", true), ("[ci skip] wip", true), ("[SKIP-CI]", true), ("[ci_skip]", true), ("x [skip_ci] y", true),
        ("skip ci", false), ("[skip  ci]", false), ("[ci skipped]", false), ("[skipci]", false), ("", false), ("[ci-skip", false),
    ])
    func skipMarkers(_ message: String, _ skips: Bool) {
        #expect(CommitMessage.requestsSkip(message) == skips)
    }

    private func trigger(_ fixture: String, event: String, token: String) throws -> PipelineTrigger {
        let decision = receiver.receive(headers: Fixture.headers(event: event, token: token), body: try Fixture.body(fixture))
        guard case .createPipeline(let trigger) = decision.outcome else {
            throw FixtureError(message: "\(fixture): \(decision.outcome)")
        }
        return trigger
    }
}
