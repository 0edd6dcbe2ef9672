// slipway — API tests
// SPDX-License-Identifier: Apache-2.0

@testable import API
import FoundationEssentials
import HTTP
import Jobs
import Testing

/// The direct JSON writer must produce exactly what `JSONCoding` (Foundation's `JSONEncoder`,
/// sorted keys) produced before it, byte for byte.
@Suite("job representation writer")
struct JobRepresentationWritingTests {
    static let now = Date(timeIntervalSince1970: 1_795_000_000.123)

    static var samples: [JobSummary] {
        let created = Date(timeIntervalSince1970: 1_794_999_000.5)
        var everything = JobSummary(
            id: JobID(9_007_199_254_740_993), name: "build \"quoted\" \\ back/slash\n\t\u{0}\u{1f}\u{7f} é 😀 \u{2028}",
            image: "registry.example.com/group/image:1.2", worker: .host, timeout: .milliseconds(90_061),
            project: "group/sub/app", pipelineID: 42, stage: "test\r\u{8}\u{c}", ref: "refs/heads/feature/ü",
            status: .failed, failureReason: .scriptFailure, exitCode: -2, createdAt: created,
            startedAt: created.addingTimeInterval(1.2345), finishedAt: created.addingTimeInterval(3_600.0004),
            retryOf: JobID(7))
        var running = everything
        running.status = .running
        running.finishedAt = nil
        running.failureReason = nil
        running.exitCode = nil
        running.retryOf = nil
        var minimal = JobSummary(id: JobID(1), name: "", image: "busybox", worker: .dind, timeout: .seconds(3600), status: .pending,
                                 createdAt: Date(timeIntervalSince1970: 0))
        var old = minimal
        old.createdAt = Date(timeIntervalSince1970: -86_400 * 400 - 0.25)
        old.startedAt = Date(timeIntervalSince1970: 253_402_300_800.5)  // year 10000
        old.timeout = .nanoseconds(1)
        minimal.createdAt = Date(timeIntervalSince1970: 1_000_000_000.9996)
        everything.timeout = .seconds(1e16)
        return [everything, running, minimal, old]
    }

    @Test func writesWhatTheEncoderWrote() throws {
        for job in Self.samples {
            let expected = try JSONCoding.encode(JobRepresentation(job, now: Self.now))
            let written = JobRepresentation.json(job, now: Self.now)
            #expect(String(decoding: written, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
        }
    }

    @Test func escapesEveryControlCharacterAsTheEncoderDoes() throws {
        var text = ""
        for value in 0..<0x80 { text.unicodeScalars.append(Unicode.Scalar(UInt8(value))) }
        var json = JSONBuffer(capacity: 0)
        json.string(text)
        #expect(json.bytes == (try JSONCoding.encode(text)))
    }

    @Test func writesNumbersAsTheEncoderDoes() throws {
        for value in [0, -0.0, 3600, 1e15, 9_007_199_254_740_991, 9_007_199_254_740_992, 4_503_599_627_370_495.5, -42, 0.001, 100_006.026, 1e16, 1.5e-7, 123_456_789_012.345, 2.5, 1e300, -7.25] {
            var json = JSONBuffer(capacity: 0)
            json.number(value)
            #expect(json.bytes == (try JSONCoding.encode(value)), "\(value)")
        }
        for value: Int64 in [0, 1, -1, 9, 10, 1_234_567_890, .max, .min] {
            var json = JSONBuffer(capacity: 0)
            json.integer(value)
            #expect(json.bytes == (try JSONCoding.encode(value)), "\(value)")
        }
    }

    /// Digits are written two at a time from a table; every width and both ends must agree
    /// with `String(value)`.
    @Test func writesDigitsAsDescriptionDoes() {
        var values: [UInt64] = Array(0..<20_000) + [.max, .max - 1]
        var power: UInt64 = 1
        for _ in 0..<19 {
            power *= 10
            values += [power - 1, power, power + 1]
        }
        for value in values {
            for width in [1, 2, 3, 4, 7] {
                var json = JSONBuffer(capacity: 0)
                json.digits(value, minimumWidth: width)
                let text = String(value)
                let expected = String(repeating: "0", count: max(0, width - text.count)) + text
                guard json.bytes == Array(expected.utf8) else {
                    Issue.record("\(value) width \(width): \(String(decoding: json.bytes, as: UTF8.self)) != \(expected)")
                    return
                }
            }
        }
    }

    /// Durations are written from their milliseconds' digits; the encoder formats the rounded
    /// `Double`. Both must agree, including at the edges of the digit path.
    @Test(arguments: [
        0, 0.0004, 0.0005, 0.001, 0.009, 0.01, 0.1, 0.5, 0.9996, 1, 1.2345, 9.99951, 10, 59.999, 235.958, 3_600, 3_600.0004,
        86_400.25, 999_999_999.999, 999_999_999.9994, 1e9, 1e9 + 0.5, 1e12, -0.0001, -0.0005, -1.5, -235.958, -1e9 - 0.001,
        .infinity, -.infinity, .nan,
    ] as [Double])
    func writesMillisecondDurationsAsTheEncoderDoes(seconds: Double) throws {
        var json = JSONBuffer(capacity: 0)
        json.seconds(roundedToMilliseconds: seconds)
        let rounded = Timestamp.round(seconds)
        if rounded.isFinite {
            #expect(json.bytes == (try JSONCoding.encode(rounded)), "\(seconds)")
        } else {
            var general = JSONBuffer(capacity: 0)
            general.number(rounded)
            #expect(json.bytes == general.bytes, "\(seconds)")
        }
    }

    @Test func writesEveryMillisecondOfAMinuteAsTheEncoderDoes() throws {
        for milliseconds in stride(from: Int64(-1_000), through: 60_000, by: 1) {
            let seconds = Double(milliseconds) / 1000
            var json = JSONBuffer(capacity: 0)
            json.seconds(roundedToMilliseconds: seconds)
            let expected = try JSONCoding.encode(Timestamp.round(seconds))
            guard json.bytes == expected else {
                Issue.record("\(milliseconds) ms: \(String(decoding: json.bytes, as: UTF8.self)) != \(String(decoding: expected, as: UTF8.self))")
                return
            }
        }
    }

    @Test func writesAPageAsTheEncoderDid() throws {
        struct Page: Encodable {
            var jobs: [JobRepresentation]
            var next: String?
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(self.jobs, forKey: .jobs)
                try container.encode(self.next, forKey: .next)
            }
            enum CodingKeys: String, CodingKey { case jobs, next }
        }
        for (jobs, next) in [(Self.samples, "/v1/jobs?status=running&limit=4&cursor=1" as String?), ([], nil), (Array(Self.samples.prefix(1)), nil)] {
            let expected = try JSONCoding.encode(Page(jobs: jobs.map { JobRepresentation($0, now: Self.now) }, next: next))
            let written = JobsAPI.page(jobs, next: next, now: Self.now)
            #expect(String(decoding: written, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
        }
    }
}
