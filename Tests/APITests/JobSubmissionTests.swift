// slipway — API tests
// SPDX-License-Identifier: Apache-2.0

@testable import API
import FoundationEssentials
import HTTP
import Jobs
import Testing

@Suite("job submissions")
struct JobSubmissionTests {
    static func parse(_ json: String) throws(HTTPError) -> JobSubmission {
        try JobSubmission.parse(Array(json.utf8))
    }

    @Test func parsesAFullSubmission() throws {
        let submission = try Self.parse(#"""
            {"name": "build", "image": "docker:27", "script": ["docker build .", "echo done"],
             "variables": {"A": "1", "B_2": 3, "C": true}, "worker": "host", "timeout": "30m", "project": "group/app"}
            """#)
        let specification = submission.specification
        #expect(specification.name == "build")
        #expect(specification.image == "docker:27")
        #expect(specification.script == ["docker build .", "echo done"])
        #expect(specification.variables == ["A": "1", "B_2": "3", "C": "true"])
        #expect(specification.worker == .host)
        #expect(specification.timeout == .seconds(1800))
        #expect(specification.project == "group/app")
    }

    @Test func appliesDefaults() throws {
        let specification = try Self.parse(#"{"name": "n", "image": "i", "script": ["true"]}"#).specification
        #expect(specification.worker == .dind)
        #expect(specification.timeout == .seconds(3600))
        #expect(specification.variables.isEmpty)
        #expect(try Self.parse(#"{"name": "n", "image": "i", "script": ["true"], "timeout": 90}"#).specification.timeout == .seconds(90))
    }

    /// Bad bodies, the status they get and the field the problem names.
    static let invalid: [(body: String, status: Int, field: String?)] = [
        ("", 400, nil),
        ("{", 400, nil),
        ("not json", 400, nil),
        ("[1, 2]", 422, nil),
        (#"{"image": "i", "script": ["true"]}"#, 422, "name"),
        (#"{"name": "", "image": "i", "script": ["true"]}"#, 422, "name"),
        (#"{"name": 5, "image": "i", "script": ["true"]}"#, 422, "name"),
        (#"{"name": "n", "script": ["true"]}"#, 422, "image"),
        (#"{"name": "n", "image": "a b", "script": ["true"]}"#, 422, "image"),
        (#"{"name": "n", "image": "busybox\u00a0", "script": ["true"]}"#, 422, "image"),
        (#"{"name": "n", "image": "bus\u2003box", "script": ["true"]}"#, 422, "image"),
        (#"{"name": "n", "image": "busybox;rm", "script": ["true"]}"#, 422, "image"),
        (#"{"name": "n", "image": "é", "script": ["true"]}"#, 422, "image"),
        (#"{"name": "n", "image": "i"}"#, 422, "script"),
        (#"{"name": "n", "image": "i", "script": []}"#, 422, "script"),
        (#"{"name": "n", "image": "i", "script": "true"}"#, 422, "script"),
        (#"{"name": "n", "image": "i", "script": ["a", 2]}"#, 422, "script[1]"),
        (#"{"name": "n", "image": "i", "script": ["true"], "variables": []}"#, 422, "variables"),
        (#"{"name": "n", "image": "i", "script": ["true"], "variables": {"1A": "x"}}"#, 422, "variables.1A"),
        (#"{"name": "n", "image": "i", "script": ["true"], "variables": {"A-B": "x"}}"#, 422, "variables.A-B"),
        (#"{"name": "n", "image": "i", "script": ["true"], "variables": {"A": {"x": 1}}}"#, 422, "variables.A"),
        (#"{"name": "n", "image": "i", "script": ["true"], "worker": "vm"}"#, 422, "worker"),
        (#"{"name": "n", "image": "i", "script": ["true"], "timeout": "soon"}"#, 422, "timeout"),
        (#"{"name": "n", "image": "i", "script": ["true"], "timeout": "0s"}"#, 422, "timeout"),
        (#"{"name": "n", "image": "i", "script": ["true"], "timeout": "30d"}"#, 422, "timeout"),
        (#"{"name": "n", "image": "i", "script": ["true"], "timeout": -5}"#, 422, "timeout"),
        (#"{"name": "n", "image": "i", "script": ["true"], "project": ""}"#, 422, "project"),
        (#"{"name": "n", "image": "i", "script": ["true"], "imgae": "typo"}"#, 422, "imgae"),
    ]

    @Test(arguments: invalid)
    func rejects(_ testCase: (body: String, status: Int, field: String?)) {
        do {
            _ = try Self.parse(testCase.body)
            Issue.record("accepted \(testCase.body)")
        } catch {
            #expect(error.status.code == testCase.status, "\(testCase.body): \(error.detail)")
            #expect(error.extensions["field"] == testCase.field, "\(testCase.body): \(error.detail)")
            if let field = testCase.field { #expect(error.detail.hasPrefix(field)) }
        }
    }
}

@Suite("durations and timestamps")
struct DurationAndTimestampTests {
    @Test(arguments: [
        ("10s", Duration.seconds(10)), ("250ms", .milliseconds(250)), ("5m", .seconds(300)), ("1h30m", .seconds(5400)),
        ("2d", .seconds(172_800)), ("45", .seconds(45)), ("1.5", .milliseconds(1500)), ("1.5s", .milliseconds(1500)),
    ])
    func parsesDurations(_ text: String, _ expected: Duration) {
        #expect(DurationParsing.parse(text) == expected)
    }

    @Test(arguments: ["", "s", "10x", "-5s", "1h-2m", "ten seconds", "10 s", "nan"])
    func rejectsDurations(_ text: String) {
        #expect(DurationParsing.parse(text) == nil)
    }

    @Test(arguments: [(Duration.seconds(5400), "1h30m"), (.milliseconds(250), "250ms"), (.seconds(10), "10s"), (.zero, "0s")])
    func formatsDurations(_ duration: Duration, _ text: String) {
        #expect(DurationParsing.format(duration) == text)
        #expect(DurationParsing.parse(text) == duration)
    }

    @Test func formatsAndParsesTimestamps() throws {
        let date = Date(timeIntervalSince1970: 1_796_000_000.123)
        let text = Timestamp.format(date)
        #expect(text == "2026-11-30T00:53:20.123Z")
        #expect(try #require(Timestamp.parse(text)).timeIntervalSince1970 == 1_796_000_000.123)
        #expect(Timestamp.parse("2026-11-30T01:53:20+01:00")?.timeIntervalSince1970 == 1_796_000_000)
        #expect(Timestamp.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00.000Z")
    }

    @Test(arguments: ["", "2026-11-29", "2026-13-01T00:00:00Z", "2026-11-29T25:00:00Z", "2026-11-29T00:00:00", "2026-11-29T00:00:00+0100", "yesterday"])
    func rejectsTimestamps(_ text: String) {
        #expect(Timestamp.parse(text) == nil)
    }
}

@Suite("durations and timeouts that would overflow")
struct OverflowingDurationTests {
    @Test("refused, not trapped", arguments: ["1e300", "99999999999999999h", "9223372036854775807", "1e16s", "18446744073709551616ms"])
    func hugeDurationsAreRefused(text: String) {
        #expect(DurationParsing.parse(text) == nil)
    }

    @Test func hugeNumericTimeoutIsA422() {
        #expect(throws: HTTPError.self) {
            try JobSubmission.parse(Array(#"{"name":"a","image":"b","script":["c"],"timeout":9530413301617156.0}"#.utf8))
        }
    }
}
