// slipway — API
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import Jobs

/// A job as the API shows it, with GitLab's Jobs API field names where they exist.
public struct JobRepresentation: Encodable, Sendable {
    public var id: Int64
    public var name: String
    public var status: String
    public var failureReason: String?
    public var worker: String
    public var image: String
    public var exitCode: Int32?
    public var createdAt: String
    public var startedAt: String?
    public var finishedAt: String?
    public var duration: Double?
    public var queuedDuration: Double
    public var timeout: Double
    public var project: String?
    public var pipelineID: Int64?
    public var stage: String?
    public var ref: String?
    /// The job this one retries.
    public var retryOf: Int64?
    /// The job's page for people (``WebLinks/job(_:)``).
    public var webURL: String

    enum CodingKeys: String, CodingKey {
        case id, name, status, worker, image, duration, timeout, project, stage, ref
        case webURL = "web_url"
        case failureReason = "failure_reason"
        case exitCode = "exit_code"
        case createdAt = "created_at"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case queuedDuration = "queued_duration"
        case pipelineID = "pipeline_id"
        case retryOf = "retry_of"
    }

    /// Encodes absent optionals as `null`, so every field is always present.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.id, forKey: .id)
        try container.encode(self.name, forKey: .name)
        try container.encode(self.status, forKey: .status)
        try container.encode(self.failureReason, forKey: .failureReason)
        try container.encode(self.worker, forKey: .worker)
        try container.encode(self.image, forKey: .image)
        try container.encode(self.exitCode, forKey: .exitCode)
        try container.encode(self.createdAt, forKey: .createdAt)
        try container.encode(self.startedAt, forKey: .startedAt)
        try container.encode(self.finishedAt, forKey: .finishedAt)
        try container.encode(self.duration, forKey: .duration)
        try container.encode(self.queuedDuration, forKey: .queuedDuration)
        try container.encode(self.timeout, forKey: .timeout)
        try container.encode(self.project, forKey: .project)
        try container.encode(self.pipelineID, forKey: .pipelineID)
        try container.encode(self.stage, forKey: .stage)
        try container.encode(self.ref, forKey: .ref)
        try container.encode(self.retryOf, forKey: .retryOf)
        try container.encode(self.webURL, forKey: .webURL)
    }

    public init(_ job: Job, now: Date = Date()) {
        self.init(JobSummary(job), now: now)
    }

    public init(_ job: JobSummary, now: Date = Date()) {
        self.id = job.id.rawValue
        self.name = job.name
        self.status = job.status.rawValue
        self.failureReason = job.failureReason?.rawValue
        self.worker = job.worker.rawValue
        self.image = job.image
        self.exitCode = job.exitCode
        self.createdAt = Timestamp.format(job.createdAt)
        self.startedAt = job.startedAt.map(Timestamp.format)
        self.finishedAt = job.finishedAt.map(Timestamp.format)
        self.duration = job.duration(now: now).map(Timestamp.round)
        self.queuedDuration = Timestamp.round(job.queuedDuration(now: now))
        self.timeout = Self.seconds(job.timeout)
        self.project = job.project
        self.pipelineID = job.pipelineID
        self.stage = job.stage
        self.ref = job.ref
        self.retryOf = job.retryOf?.rawValue
        self.webURL = WebLinks.job(job.id)
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

/// RFC 3339 timestamps with milliseconds, in UTC, as GitLab writes them.
enum Timestamp {
    static func format(_ date: Date) -> String {
        let milliseconds = self.milliseconds(date)
        let seconds = milliseconds / 1000
        let fraction = Int(milliseconds % 1000)
        let days = seconds / 86_400
        let secondOfDay = Int(seconds % 86_400)
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(fraction, 3))Z"
    }

    /// Parses the RFC 3339 forms clients send (`2026-11-29T08:00:00Z`, with optional fraction
    /// and offset); `nil` for anything else.
    static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t") || bytes[10] == UInt8(ascii: " "),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":")
        else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                guard bytes[index] >= 0x30, bytes[index] <= 0x39 else { return nil }
                value = value * 10 + Int(bytes[index] - 0x30)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var fraction = 0.0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            let start = index
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                fraction += Double(bytes[index] - 0x30) * scale
                scale /= 10
                index += 1
            }
            if index == start { return nil }
        }
        var offsetSeconds = 0
        guard index < bytes.count else { return nil }
        if bytes[index] == UInt8(ascii: "Z") || bytes[index] == UInt8(ascii: "z") {
            index += 1
        } else if bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            guard index + 6 == bytes.count, bytes[index + 3] == UInt8(ascii: ":"),
                  let hours = number((index + 1)..<(index + 3)), let minutes = number((index + 4)..<(index + 6))
            else { return nil }
            offsetSeconds = (hours * 3600 + minutes * 60) * (bytes[index] == UInt8(ascii: "-") ? -1 : 1)
            index += 6
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }
        let days = daysSinceEpoch(year: year, month: month, day: day)
        let seconds = Double(days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds) + fraction
        return Date(timeIntervalSince1970: seconds)
    }

    /// The whole milliseconds since 1970 that `format` writes.
    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    static func round(_ seconds: Double) -> Double { (seconds * 1000).rounded() / 1000 }

    /// Howard Hinnant's civil-from-days algorithm.
    static func civilDate(daysSinceEpoch days: Int64) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthPrime = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthPrime + 2) / 5 + 1
        let month = monthPrime < 10 ? monthPrime + 3 : monthPrime - 9
        return (Int(yearOfEra + era * 400 + (month <= 2 ? 1 : 0)), Int(month), Int(day))
    }

    private static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
