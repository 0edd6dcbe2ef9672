// slipway — commit status tests
// SPDX-License-Identifier: Apache-2.0

@testable import CommitStatus
import Foundation
import Jobs
import Testing

/// The pure part: states, requests, GitLab's answers, Retry-After and backoff.
@Suite struct CommitStatusUnitTests {
    static let sha = "1b2c3d4e5f60718293a4b5c6d7e8f90123456789"
    static let target = CommitStatusTarget(gitlabURL: "https://gitlab.example.com", projectID: "42", sha: sha, ref: "main", name: "build")

    // MARK: - States

    @Test(arguments: [
        (JobStatus.created, CommitState.pending), (.pending, .pending), (.running, .running), (.success, .success),
        (.failed, .failed), (.canceled, .canceled), (.skipped, .skipped),
    ])
    func mapsJobStatuses(status: JobStatus, state: CommitState) {
        #expect(CommitState(status) == state)
    }

    @Test func updateFromAJob() {
        var job = Job(id: JobID(7), specification: JobSpecification(name: "build", image: "busybox", script: ["true"]), status: .failed, createdAt: Date())
        job.failureReason = .scriptFailure
        job.exitCode = 3
        let update = CommitStatusUpdate(job: job, target: Self.target, publicURL: "https://slipway.example.com/")
        #expect(update.state == .failed)
        #expect(update.targetURL == "https://slipway.example.com/jobs/7")
        #expect(update.description == "failed: the script exited with status 3")
        #expect(CommitStatusUpdate(job: job, target: Self.target, publicURL: nil).targetURL == nil)
    }

    // MARK: - Request

    @Test func requestForANumericProject() throws {
        let update = CommitStatusUpdate(target: Self.target, state: .running, description: "running", targetURL: "https://s/v1/jobs/1")
        let request = try CommitStatusRequest(update)
        #expect(request.origin == "https://gitlab.example.com")
        #expect(request.target == "/api/v4/projects/42/statuses/\(Self.sha)")
        #expect(String(decoding: request.body, as: UTF8.self)
            == #"{"description":"running","name":"build","ref":"main","state":"running","target_url":"https://s/v1/jobs/1"}"#)
        #expect(!request.fields.contains { $0.name.lowercased() == "private-token" })
    }

    @Test func requestForAPathUnderARelativeRoot() throws {
        var target = Self.target
        target.gitlabURL = "https://example.com:8443/gitlab/"
        target.projectID = "group/sub group/app"
        let request = try CommitStatusRequest(CommitStatusUpdate(target: target, state: .success), pipelineID: 99)
        #expect(request.origin == "https://example.com:8443")
        #expect(request.target == "/gitlab/api/v4/projects/group%2Fsub%20group%2Fapp/statuses/\(Self.sha)")
        #expect(String(decoding: request.body, as: UTF8.self).contains(#""pipeline_id":99"#))
        // The target's own pipeline wins over a learnt one.
        target.pipelineID = 5
        #expect(String(decoding: try CommitStatusRequest(CommitStatusUpdate(target: target, state: .success), pipelineID: 99).body, as: UTF8.self).contains(#""pipeline_id":5"#))
    }

    @Test func descriptionIsCutToWhatGitLabKeeps() throws {
        let update = CommitStatusUpdate(target: Self.target, state: .failed, description: String(repeating: "é", count: 400))
        let body = try JSONDecoder().decode([String: String].self, from: Data(CommitStatusRequest(update).body))
        #expect(body["description"]?.count == 255)
    }

    @Test(arguments: [
        ("ftp://gitlab.example.com", Self.sha), ("gitlab.example.com", Self.sha), ("https:///x", Self.sha),
        ("https://gitlab.example.com?x=1", Self.sha), ("https://gitlab.example.com", "main"), ("https://gitlab.example.com", "12345"),
    ])
    func refusesTargetsThatCannotBePosted(url: String, sha: String) {
        var target = Self.target
        target.gitlabURL = url
        target.sha = sha
        let error = #expect(throws: CommitStatusError.self) { try CommitStatusRequest(CommitStatusUpdate(target: target, state: .pending)) }
        #expect(error?.code == .invalidTarget)
    }

    // MARK: - GitLab's answers

    struct Answer: Sendable, CustomStringConvertible {
        var status: Int
        var retryAfter: String?
        var body: String
        var state: CommitState
        var verdict: DeliveryVerdict
        var mentions: String?
        var description: String { "\(self.status) \(self.body.prefix(40)) → \(self.verdict)" }
    }

    static let answers: [Answer] = [
        Answer(status: 201, body: #"{"id":1,"pipeline_id":4242}"#, state: .pending, verdict: .delivered(pipelineID: 4242)),
        Answer(status: 200, body: "", state: .success, verdict: .delivered(pipelineID: nil)),
        Answer(status: 400, body: #"{"message":"Cannot transition status via :run from :running (Reason(s): Status cannot transition via \"run\")"}"#,
               state: .running, verdict: .alreadyThere),
        Answer(status: 400, body: #"{"message":"Cannot transition status via :enqueue from :pending (Reason(s): …)"}"#,
               state: .pending, verdict: .alreadyThere),
        Answer(status: 400, body: #"{"message":"Cannot transition status via :enqueue from :running (Reason(s): …)"}"#,
               state: .pending, verdict: .giveUp(reason: ""), mentions: "refuses"),
        Answer(status: 400, body: #"{"message":{"state":["is invalid"]}}"#, state: .pending, verdict: .giveUp(reason: ""), mentions: "400"),
        Answer(status: 401, body: #"{"message":"401 Unauthorized"}"#, state: .pending, verdict: .giveUp(reason: ""), mentions: "gitlab.status_token"),
        Answer(status: 403, body: #"{"message":"403 Forbidden"}"#, state: .pending, verdict: .giveUp(reason: ""), mentions: "Developer"),
        Answer(status: 404, body: #"{"message":"404 Commit Not Found"}"#, state: .pending, verdict: .giveUp(reason: ""), mentions: "check the project id"),
        Answer(status: 422, body: #"{"message":"The number of jobs has exceeded the limit"}"#, state: .pending, verdict: .giveUp(reason: ""), mentions: "exceeded"),
        Answer(status: 302, body: "", state: .pending, verdict: .giveUp(reason: ""), mentions: "gitlab.url"),
        Answer(status: 409, body: #"{"message":"Another update to this commit status is in progress"}"#, state: .pending, verdict: .retry(after: nil, reason: "")),
        Answer(status: 429, retryAfter: "7", body: "", state: .pending, verdict: .retry(after: .seconds(7), reason: "")),
        Answer(status: 503, retryAfter: "Sun, 06 Nov 1994 08:50:07 GMT", body: "", state: .pending, verdict: .retry(after: .seconds(30), reason: "")),
        Answer(status: 502, retryAfter: "soon", body: "<html>Bad Gateway</html>", state: .pending, verdict: .retry(after: nil, reason: "")),
        Answer(status: 500, body: "", state: .success, verdict: .retry(after: nil, reason: "")),
    ]

    @Test(arguments: Self.answers)
    func classifiesGitLabsAnswer(_ answer: Answer) {
        let now = Date(timeIntervalSince1970: 784_111_777)  // Sun, 06 Nov 1994 08:49:37 GMT
        let update = CommitStatusUpdate(target: Self.target, state: answer.state)
        let verdict = DeliveryVerdict.classify(status: answer.status, retryAfter: answer.retryAfter, body: Array(answer.body.utf8), for: update, now: now)
        switch (verdict, answer.verdict) {
        case (.delivered(let got), .delivered(let want)): #expect(got == want)
        case (.alreadyThere, .alreadyThere): break
        case (.retry(let got, _), .retry(let want, _)): #expect(got == want)
        case (.giveUp(let reason), .giveUp):
            #expect(reason.contains(answer.mentions ?? ""), "\(reason)")
        default: Issue.record("got \(verdict), want \(answer.verdict)")
        }
    }

    @Test func transportFailuresAreRetriedAndTLSNamesTheFix() {
        #expect(DeliveryVerdict.classify(.timedOut("x")) == .retry(after: nil, reason: "GitLab did not answer in time: x"))
        guard case .retry(_, let reason) = DeliveryVerdict.classify(.tls("certificate has expired")) else { Issue.record(); return }
        #expect(reason.contains("certificate has expired") && reason.contains("gitlab.ca_file"))
    }

    // MARK: - Retry-After and HTTP dates

    @Test(arguments: [
        "Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
    ])
    func parsesEveryHTTPDateForm(text: String) {
        #expect(HTTPDate.parse(text) == Date(timeIntervalSince1970: 784_111_777))
    }

    @Test(arguments: ["", "tomorrow", "Sun, 32 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT", "-5", "1.5"])
    func refusesWhatIsNoRetryAfter(text: String) {
        #expect(RetryAfter.parse(text, now: Date()) == nil)
    }

    @Test func retryAfterInSecondsOrADate() {
        let now = Date(timeIntervalSince1970: 784_111_777)
        #expect(RetryAfter.parse("120", now: now) == .seconds(120))
        #expect(RetryAfter.parse(" 0 ", now: now) == .zero)
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:49:47 GMT", now: now) == .seconds(10))
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:00:00 GMT", now: now) == .zero, "a date in the past means now")
        #expect(RetryAfter.parse("99999999999999999999999", now: now) != nil)
    }

    // MARK: - Backoff and giving up

    static var policy: RetryPolicy {
        var policy = RetryPolicy()
        policy.initialDelay = .seconds(2)
        policy.maximumDelay = .seconds(60)
        policy.jitter = 0.5
        policy.giveUpAfter = .seconds(3600)
        return policy
    }

    @Test(arguments: [
        (1, 0.0, Duration.seconds(2)), (2, 0.0, .seconds(4)), (3, 0.0, .seconds(8)), (6, 0.0, .seconds(60)), (60, 0.0, .seconds(60)),
        (1, 1.0, .seconds(1)), (3, 0.5, .seconds(6)), (10, 1.0, .seconds(30)),
    ])
    func backsOffExponentiallyWithJitter(attempt: Int, random: Double, delay: Duration) {
        #expect(Self.policy.backoff(afterAttempt: attempt, random: random) == delay)
    }

    @Test func jitterStaysWithinItsShare() {
        for attempt in 1...12 {
            let full = Self.policy.backoff(afterAttempt: attempt, random: 0)
            for _ in 0..<50 {
                let delay = Self.policy.backoff(afterAttempt: attempt, random: Double.random(in: 0..<1))
                #expect(delay <= full && delay >= full / 2)
            }
        }
    }

    @Test func retryAfterReplacesTheBackoffWithinItsCap() {
        let start = Date(timeIntervalSince1970: 1_000_000)
        let now = start.addingTimeInterval(10)
        #expect(Self.policy.decide(afterAttempt: 1, enqueuedAt: start, now: now, retryAfter: .seconds(30), random: 0) == .retry(at: now.addingTimeInterval(30)))
        #expect(Self.policy.decide(afterAttempt: 9, enqueuedAt: start, now: now, retryAfter: .seconds(1), random: 0) == .retry(at: now.addingTimeInterval(1)))
        #expect(Self.policy.decide(afterAttempt: 1, enqueuedAt: start, now: now, retryAfter: nil, random: 0) == .retry(at: now.addingTimeInterval(2)))
        var capped = Self.policy
        capped.maximumRetryAfter = .seconds(100)
        #expect(capped.decide(afterAttempt: 1, enqueuedAt: start, now: now, retryAfter: .seconds(10_000), random: 0) == .retry(at: now.addingTimeInterval(100)))
    }

    @Test func givesUpWhenTheNextAttemptWouldBePastTheAge() {
        let start = Date(timeIntervalSince1970: 1_000_000)
        #expect(Self.policy.decide(afterAttempt: 5, enqueuedAt: start, now: start.addingTimeInterval(3590), retryAfter: nil, random: 0) == .giveUp)
        #expect(Self.policy.decide(afterAttempt: 1, enqueuedAt: start, now: start.addingTimeInterval(100), retryAfter: .seconds(3600), random: 0) == .giveUp)
        #expect(!Self.policy.isExpired(enqueuedAt: start, now: start.addingTimeInterval(3599)))
        #expect(Self.policy.isExpired(enqueuedAt: start, now: start.addingTimeInterval(3600)))
    }

    // MARK: - Tokens

    @Test func tokenTextIsRedactedEverywhere() {
        let token = GitLabToken("glpat-very-secret")
        var dumped = ""
        dump(token, to: &dumped)
        let credentials = CommitStatusCredentials(globalToken: token, projectTokens: ["42": GitLabToken("glpat-other-secret")])
        var dumpedCredentials = ""
        dump(credentials, to: &dumpedCredentials)
        for text in ["\(token)", String(reflecting: token), dumped, "\(credentials)", String(reflecting: credentials), dumpedCredentials, "\([token])"] {
            #expect(!text.contains("secret"), "\(text)")
        }
    }

    @Test func projectTokenBeforeTheGlobalOne() {
        let credentials = CommitStatusCredentials(globalToken: GitLabToken("global"), projectTokens: ["42": GitLabToken("by-id"), "group/app": GitLabToken("by-path")])
        var target = Self.target
        #expect(credentials.token(for: target)?.value == "by-id")
        target.projectID = "7"
        #expect(credentials.token(for: target)?.value == "global")
        target.projectPath = "group/app"
        #expect(credentials.token(for: target)?.value == "by-path")
        #expect(CommitStatusCredentials().token(for: target) == nil)
    }
}
