// slipway — API
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import HTTP
import Jobs

/// The job representation written straight into bytes: the same document as encoding a
/// ``JobRepresentation`` with ``HTTP/JSONCoding``, without the encoder's boxing, key sorting
/// and intermediate strings (see ``JSONBuffer``).
extension JobRepresentation {
    /// Bytes per job to reserve: a typical job is 330–400 bytes.
    static let typicalSize = 420

    /// An `application/json` response with the representation of `job`.
    static func response(_ job: JobSummary, status: HTTPStatus = .ok, now: Date = Date()) -> HTTPResponse {
        .json(bytes: self.json(job, now: now), status: status)
    }

    static func response(_ job: Job, status: HTTPStatus = .ok, now: Date = Date()) -> HTTPResponse {
        self.response(JobSummary(job), status: status, now: now)
    }

    /// The representation of `job` as a JSON document.
    static func json(_ job: JobSummary, now: Date = Date()) -> [UInt8] {
        var json = JSONBuffer(capacity: self.typicalSize)
        self.write(job, now: now, into: &json)
        return json.bytes
    }

    /// Appends the representation of `job` as one JSON object, its keys in sorted order as
    /// `JSONCoding` writes them.
    static func write(_ job: JobSummary, now: Date, into json: inout JSONBuffer) {
        json.raw(#"{"created_at":"#)
        Self.write(job.createdAt, into: &json)
        json.raw(#","duration":"#)
        if let duration = job.duration(now: now) { json.seconds(roundedToMilliseconds: duration) } else { json.null() }
        json.raw(#","exit_code":"#)
        json.integer(job.exitCode.map { Int64($0) })
        json.raw(#","failure_reason":"#)
        json.string(job.failureReason?.rawValue)
        json.raw(#","finished_at":"#)
        Self.write(job.finishedAt, into: &json)
        json.raw(#","id":"#)
        json.integer(job.id.rawValue)
        json.raw(#","image":"#)
        json.string(job.image)
        json.raw(#","name":"#)
        json.string(job.name)
        json.raw(#","pipeline_id":"#)
        json.integer(job.pipelineID)
        json.raw(#","project":"#)
        json.string(job.project)
        json.raw(#","queued_duration":"#)
        json.seconds(roundedToMilliseconds: job.queuedDuration(now: now))
        json.raw(#","ref":"#)
        json.string(job.ref)
        json.raw(#","retry_of":"#)
        json.integer(job.retryOf?.rawValue)
        json.raw(#","stage":"#)
        json.string(job.stage)
        json.raw(#","started_at":"#)
        Self.write(job.startedAt, into: &json)
        json.raw(#","status":"#)
        json.string(job.status.rawValue)
        json.raw(#","timeout":"#)
        json.number(Self.seconds(job.timeout))
        json.raw(#","web_url":"/jobs/"#)
        json.integer(job.id.rawValue)
        json.raw(#"","worker":"#)
        json.string(job.worker.rawValue)
        json.raw("}")
    }

    /// A timestamp as ``Timestamp/format(_:)`` writes it, digit by digit for the years
    /// 1970–9999 (no string is built), through `format` for anything else.
    private static func write(_ date: Date?, into json: inout JSONBuffer) {
        guard let date else { return json.null() }
        let milliseconds = Timestamp.milliseconds(date)
        let (year, month, day) = Timestamp.civilDate(daysSinceEpoch: milliseconds / 86_400_000)
        guard milliseconds >= 0, year <= 9999 else { return json.string(Timestamp.format(date)) }
        let secondOfDay = UInt64(milliseconds / 1000 % 86_400)
        json.raw("\"")
        json.digits(UInt64(year), minimumWidth: 4)
        json.raw("-")
        json.digits(UInt64(month), minimumWidth: 2)
        json.raw("-")
        json.digits(UInt64(day), minimumWidth: 2)
        json.raw("T")
        json.digits(secondOfDay / 3600, minimumWidth: 2)
        json.raw(":")
        json.digits(secondOfDay / 60 % 60, minimumWidth: 2)
        json.raw(":")
        json.digits(secondOfDay % 60, minimumWidth: 2)
        json.raw(".")
        json.digits(UInt64(milliseconds % 1000), minimumWidth: 3)
        json.raw("Z\"")
    }
}
