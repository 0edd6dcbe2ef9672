// slipway — commit status tests
// SPDX-License-Identifier: Apache-2.0

import Application
import CommitStatus
import Foundation
import Jobs
import TLS
import TestSupport
import Testing

/// The reporter end to end: the SQLite outbox, our HTTPS client, and a GitLab stand-in on
/// 127.0.0.1 with a certificate from a CA the test made.
@Suite(.serialized) struct CommitStatusDeliveryTests {
    typealias H = ReporterHarness

    @Test func aPipelineOfTwoJobsReportsEachStateOnceInOrder() async throws {
        try await FakeGitLab.with { gitlab, pki in
            let build = H.target(gitlab, name: "build")
            let test = H.target(gitlab, name: "test")
            try await H.with(configuration: H.configuration(trust: pki.trustingTestCA), targets: [JobID(1): build, JobID(2): test]) { harness in
                // As the scheduler reports them: created and pending both read as pending.
                for (id, name, status) in [(1, "build", JobStatus.created), (1, "build", .pending), (2, "test", .pending), (1, "build", .running),
                                           (2, "test", .running), (2, "test", .success), (1, "build", .success)] {
                    harness.reporter.jobChanged(H.job(Int64(id), name, status))
                }
                let requests = try await gitlab.waitForRequests { $0.count >= 6 }
                // Every entry final: the reporter sends nothing more.
                try await harness.waitUntilFinished(build, count: 3)
                try await harness.waitUntilFinished(test, count: 3)
                #expect(try await gitlab.requests().count == 6, "no repeats")
                for (id, name) in [(1, "build"), (2, "test")] {
                    let mine = requests.filter { $0.name == name }
                    #expect(mine.map(\.state) == ["pending", "running", "success"])
                    for request in mine {
                        #expect(request.path == "/api/v4/projects/42/statuses/\(CommitStatusUnitTests.sha)")
                        #expect(request.headers["private-token"] == H.token)
                        #expect(request.headers["content-type"] == "application/json")
                        #expect(request.body["ref"]?.string == "main")
                        #expect(request.body["target_url"]?.string == "\(H.publicURL)/jobs/\(id)")
                    }
                    // After GitLab named its pipeline, later statuses of the commit name it too.
                    #expect(mine.dropFirst().allSatisfy { $0.body["pipeline_id"]?.number == 4242 })
                }
                let entries = try await harness.waitUntilFinished(build, count: 3)
                #expect(entries.map(\.outcome) == [.delivered, .delivered, .delivered])
            }
        }
    }

    @Test func aLaterStateWaitsUntilTheEarlierOneIsDelivered() async throws {
        try await FakeGitLab.with { gitlab, pki in
            // A connection closed without an answer, then GitLab's load balancer fails twice (the
            // issue's "502 twice then 201"). The drop comes first: on a fresh connection, since
            // on a pooled one the client itself retries at once, as for any stale connection.
            try await gitlab.script([.drop, .status(502), .status(502)])
            let target = H.target(gitlab, name: "build")
            try await H.with(configuration: H.configuration(trust: pki.trustingTestCA)) { harness in
                for state in [CommitState.pending, .running, .success] {
                    try await harness.reporter.enqueue(CommitStatusUpdate(target: target, state: state))
                }
                let entries = try await harness.waitUntilFinished(target, count: 3)
                #expect(entries.map(\.outcome) == [.delivered, .delivered, .delivered])
                #expect(entries.map(\.attempts) == [4, 1, 1])
                #expect(try await gitlab.requests().map(\.state) == ["pending", "pending", "pending", "pending", "running", "success"])
                let retries = harness.logs.records.filter { $0.message == "commit status not delivered; will retry" }
                #expect(retries.count == 3)
                #expect(retries.first?.metadata["error"]?.contains("cannot reach GitLab") == true)
                #expect(retries.last?.metadata["error"]?.contains("GitLab answered 502") == true)
            }
        }
    }

    @Test func retryAfterIsHonoured() async throws {
        try await FakeGitLab.with { gitlab, pki in
            try await gitlab.script([.status(429, headers: ["Retry-After": "1"], body: #"{"message":"429 Too Many Requests"}"#)])
            let target = H.target(gitlab, name: "build")
            try await H.with(configuration: H.configuration(trust: pki.trustingTestCA)) { harness in
                try await harness.reporter.enqueue(CommitStatusUpdate(target: target, state: .running))
                try await harness.waitUntilFinished(target, count: 1)
                let requests = try await gitlab.requests()
                #expect(requests.count == 2)
                let gap = requests[1].time - requests[0].time
                // The backoff alone would retry after 50 ms; the upper bound only catches a wait
                // that is not the 1 s asked for at all.
                #expect(gap >= 0.95 && gap < 15, "retried after \(gap) s")
                #expect(harness.logs.records.contains { $0.metadata["retry_after"] == "1s" })
            }
        }
    }

    @Test func cannotTransitionToTheStateGitLabHasCountsAsDelivered() async throws {
        try await FakeGitLab.with { gitlab, pki in
            try await gitlab.script([
                .cannotTransition(from: "running", via: "run"),
                .cannotTransition(from: "running", via: "enqueue"),
            ])
            let target = H.target(gitlab, name: "build")
            try await H.with(configuration: H.configuration(trust: pki.trustingTestCA)) { harness in
                // running (GitLab has it: done), pending after running (GitLab refuses: given up), success.
                for state in [CommitState.running, .pending, .success] {
                    try await harness.reporter.enqueue(CommitStatusUpdate(target: target, state: state))
                }
                let entries = try await harness.waitUntilFinished(target, count: 3)
                #expect(entries.map(\.outcome) == [.alreadyThere, .gaveUp, .delivered])
                #expect(entries.map(\.attempts) == [1, 1, 1], "never retried")
                #expect(entries[1].lastError?.contains("refuses") == true)
                #expect(try await gitlab.requests().map(\.state) == ["running", "pending", "success"])
            }
        }
    }

    @Test func givesUpAfterTheConfiguredAgeWithALogLine() async throws {
        try await FakeGitLab.with { gitlab, pki in
            try await gitlab.setDefault(.status(500))
            let target = H.target(gitlab, name: "build")
            try await H.with(configuration: H.configuration(trust: pki.trustingTestCA, giveUpAfter: .seconds(1))) { harness in
                let started = ContinuousClock.now
                try await harness.reporter.enqueue(CommitStatusUpdate(target: target, state: .pending))
                try await harness.reporter.enqueue(CommitStatusUpdate(target: target, state: .running))
                let entries = try await harness.waitUntilFinished(target, count: 2)
                let elapsed = ContinuousClock.now - started
                #expect(entries.map(\.outcome) == [.gaveUp, .gaveUp])
                #expect(elapsed >= .milliseconds(800) && elapsed < .seconds(30), "\(elapsed)")
                let lines = harness.logs.records.filter { $0.message == "gave up on a commit status" }
                #expect(lines.count == 2)
                #expect(lines.allSatisfy { $0.level == .error && $0.metadata["reason"]?.contains("status.give_up_after (1s)") == true })
                #expect(lines.first?.metadata["reason"]?.contains("GitLab answered 500") == true)
                // Given-up entries are final, and only waiting ones are ever sent.
                #expect(try await harness.outbox.waitingCount() == 0, "nothing is left to send after giving up")
            }
        }
    }

    @Test func aRestartResumesTheOutbox() async throws {
        try await FakeGitLab.with { gitlab, pki in
            try await gitlab.setDefault(.status(503))
            let target = H.target(gitlab, name: "build")
            try await H.with(configuration: H.configuration(trust: pki.trustingTestCA)) { harness in
                try await harness.reporter.enqueue(CommitStatusUpdate(target: target, state: .pending))
                try await harness.reporter.enqueue(CommitStatusUpdate(target: target, state: .running))
                try await gitlab.waitForRequests { $0.count >= 2 }
                try await harness.restart {
                    // Down while slipway restarts; up again before it starts.
                    try await gitlab.setDefault(.status(201))
                }
                let entries = try await harness.waitUntilFinished(target, count: 2)
                #expect(entries.map(\.outcome) == [.delivered, .delivered])
                let states = try await gitlab.requests().map(\.state)
                #expect(states.last == "running")
                #expect(Set(states.dropLast()) == ["pending"], "\(states)")
            }
        }
    }

    @Test func theTokenAppearsInNoLogLineAndNoError() async throws {
        try await FakeGitLab.with { gitlab, pki in
            try await gitlab.script([
                // A proxy that echoes the request headers in its error page.
                .status(502, body: "bad gateway; request had PRIVATE-TOKEN: \(H.token)"),
                .status(401, body: #"{"message":"401 Unauthorized"}"#),
            ])
            let target = H.target(gitlab, name: "build")
            try await H.with(configuration: H.configuration(trust: pki.trustingTestCA)) { harness in
                try await harness.reporter.enqueue(CommitStatusUpdate(target: target, state: .pending))
                let entries = try await harness.waitUntilFinished(target, count: 1)
                #expect(entries.map(\.outcome) == [.gaveUp])
                #expect(try await gitlab.requests().allSatisfy { $0.headers["private-token"] == H.token })
                let giveUp = try #require(harness.logs.records.first { $0.message == "gave up on a commit status" })
                #expect(giveUp.metadata["reason"]?.contains("gitlab.status_token") == true, "the line names the fix")
                let retry = try #require(harness.logs.records.first { $0.message == "commit status not delivered; will retry" })
                #expect(retry.metadata["error"]?.contains("<redacted>") == true)
                for record in harness.logs.records {
                    #expect(!record.text.contains(H.token), "\(record.text)")
                }
                for entry in try await harness.outbox.entries(for: target) {
                    #expect(entry.lastError?.contains(H.token) != true)
                }
                #expect(!"\(harness.configuration)".contains(H.token))
                #expect(!String(reflecting: harness.configuration).contains(H.token))
            }
        }
    }

    struct Rejection: Sendable, CustomStringConvertible {
        var leaf: TestPKI.Leaf
        var trustsTestCA: Bool
        var reason: String
        var description: String { "\(self.leaf) trusting \(self.trustsTestCA ? "the test CA" : "the system store")" }
    }

    @Test(arguments: [
        Rejection(leaf: .localhost, trustsTestCA: false, reason: "unable to get local issuer certificate"),
        Rejection(leaf: .expired, trustsTestCA: true, reason: "certificate has expired"),
        Rejection(leaf: .otherHost, trustsTestCA: true, reason: "hostname mismatch"),
    ])
    func aRefusedCertificateIsReportedClearly(_ rejection: Rejection) async throws {
        try await FakeGitLab.with(certificate: rejection.leaf) { gitlab, pki in
            let target = H.target(gitlab, name: "build")
            try await H.with(configuration: H.configuration(trust: rejection.trustsTestCA ? pki.trustingTestCA : TLSConfiguration())) { harness in
                try await harness.reporter.enqueue(CommitStatusUpdate(target: target, state: .pending))
                // The first attempt's failure (loading the system store can take a while on a
                // busy machine: wait for the attempt, not for a time).
                try await waitUntil("a failed attempt") {
                    harness.logs.records.contains { $0.message == "commit status not delivered; will retry" }
                }
                let retry = try #require(harness.logs.records.first { $0.message == "commit status not delivered; will retry" })
                let error = retry.metadata["error"] ?? ""
                #expect(error.contains(rejection.reason), "\(error)")
                #expect(error.contains("gitlab.ca_file"), "\(error)")
                let entries = try await harness.outbox.entries(for: target)
                #expect(entries.first?.lastError?.contains(rejection.reason) == true)
                #expect(try await gitlab.requests().isEmpty, "nothing was sent over an unverified connection")
            }
        }
    }

    @Test func aProjectTokenIsUsedForItsProject() async throws {
        try await FakeGitLab.with { gitlab, pki in
            var configuration = H.configuration(trust: pki.trustingTestCA)
            configuration.credentials.projectTokens["group/app"] = GitLabToken("glpat-project-token")
            let own = CommitStatusTarget(gitlabURL: gitlab.url, projectID: "7", sha: CommitStatusUnitTests.sha, ref: "main", name: "build", projectPath: "group/app")
            let other = H.target(gitlab, name: "build")
            try await H.with(configuration: configuration) { harness in
                try await harness.reporter.enqueue(CommitStatusUpdate(target: own, state: .pending))
                try await harness.reporter.enqueue(CommitStatusUpdate(target: other, state: .pending))
                let requests = try await gitlab.waitForRequests { $0.count >= 2 }
                #expect(requests.first { $0.path.contains("/projects/7/") }?.headers["private-token"] == "glpat-project-token")
                #expect(requests.first { $0.path.contains("/projects/42/") }?.headers["private-token"] == H.token)
            }
        }
    }
}

extension CommitStatusDeliveryTests {
    @Test func withoutATokenNothingIsSentAndTheLogSaysWhatToSet() async throws {
        try await FakeGitLab.with { gitlab, pki in
            var configuration = H.configuration(trust: pki.trustingTestCA)
            configuration.credentials = CommitStatusCredentials()
            let target = H.target(gitlab, name: "build")
            try await H.with(configuration: configuration) { harness in
                try await harness.reporter.enqueue(CommitStatusUpdate(target: target, state: .pending))
                let entries = try await harness.waitUntilFinished(target, count: 1)
                #expect(entries.map(\.outcome) == [.gaveUp])
                #expect(entries[0].attempts == 0)
                #expect(try await gitlab.requests().isEmpty)
                let line = try #require(harness.logs.records.first { $0.message == "gave up on a commit status" })
                #expect(line.metadata["reason"]?.contains("set gitlab.status_token, or projects[].status_token") == true)
            }
        }
    }
}
