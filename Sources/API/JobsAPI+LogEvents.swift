// slipway — API
// SPDX-License-Identifier: Apache-2.0

import HTTP
import Jobs

/// `GET /v1/jobs/{id}/log/events`: a job's log as Server-Sent Events, for the job page.
///
/// ```
/// id: 4096
/// event: log
/// data: {"text":"$ make\n\u001b[32mok\u001b[0m\n","times":[[0,1796660000123]]}
///
/// event: end
/// data: {"offset":4096,"status":"success"}
/// ```
/// Each `log` event holds the next piece of the log (`text`) and, as its `id`, the byte
/// offset just past it: a reconnecting `EventSource` sends that offset back as `Last-Event-ID`
/// and continues exactly there, nothing repeated and nothing fetched again. Pieces end on a
/// UTF-8 character boundary (a character split between two writes waits for its rest), so
/// every piece is valid text. `times` says when its bytes were written (``Jobs/LogTime``:
/// `[offset, unix milliseconds]`), for the viewer's per-line timestamps. `end` says the job
/// finished and everything was sent.
extension JobsAPI {
    /// The largest piece of log in one event.
    static let logEventPiece = 256 * 1024
    /// The largest first piece of a stream.
    static let firstLogEventPiece = 16 * 1024

    func logEvents(_ request: HTTPRequest) async throws -> HTTPResponse {
        let id = try Self.jobID(request)
        guard try await self.store.jobSummary(id) != nil else { throw HTTPError(.notFound, "no job \(id)") }
        var start = 0
        if let text = request.fields["Last-Event-ID"] ?? request.query("offset") {
            guard (1...16).contains(text.utf8.count), text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = Int(text),
                  value <= Self.maximumOffset
            else {
                throw QueryParameters.invalid("offset", "must be a number of bytes from 0 to 2^53-1 (the id of a log event)")
            }
            start = value
        }
        let logs = self.logs
        let store = self.store
        let heartbeat = self.logHeartbeat
        let first = start
        return HTTPResponse(
            status: .ok,
            fields: ["Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no"],
            body: .stream { writer in
                try await writer.write("retry: 2000\n\n")
                var position = first
                /// Bytes at `position` that are only the start of a character.
                var waitingFor = 0
                var lastWrite = ContinuousClock.now
                // When each part of the log was written; read again once the log grows past
                // what it covered (a running job).
                var times = LogTimes(try await logs.times(of: id))
                while true {
                    // A small first piece puts the first lines on screen sooner.
                    let piece = position == first && waitingFor == 0 ? Self.firstLogEventPiece : Self.logEventPiece
                    let chunk = try await logs.read(id, from: position, maximum: piece)
                    let finished: Bool
                    if chunk.bytes.count > waitingFor {
                        let complete = LogText.completeCharactersLength(chunk.bytes)
                        if complete > 0 {
                            try await times.refresh(for: position + complete) { try await logs.times(of: id) }
                            try await writer.write(Self.logEvent(chunk.bytes[..<complete], from: position, endingAt: position + complete, times: times))
                            lastWrite = ContinuousClock.now
                            position += complete
                            waitingFor = 0
                            continue
                        }
                        waitingFor = chunk.bytes.count
                    }
                    if let known = logs.isFinished(id) {
                        finished = known
                    } else {
                        finished = try await store.jobSummary(id)?.status.isFinished ?? true
                    }
                    if finished {
                        // Whatever is left is all there will be: the last bytes of a broken
                        // character go out replaced, as a decoder shows them.
                        let rest = try await logs.read(id, from: position, maximum: Self.logEventPiece)
                        if !rest.bytes.isEmpty {
                            // A full piece may end inside a character that the next one completes.
                            let complete = LogText.completeCharactersLength(rest.bytes)
                            let length = rest.bytes.count == Self.logEventPiece && complete > 0 ? complete : rest.bytes.count
                            try await times.refresh(for: position + length) { try await logs.times(of: id) }
                            try await writer.write(Self.logEvent(rest.bytes[..<length], from: position, endingAt: position + length, times: times))
                            position += length
                            waitingFor = 0
                            continue
                        }
                        let status = try await store.jobSummary(id)?.status.rawValue ?? "unknown"
                        try await writer.write("event: end\ndata: {\"offset\":\(position),\"status\":\"\(status)\"}\n\n")
                        return
                    }
                    await logs.waitForAppend(to: id, after: position + waitingFor, timeout: heartbeat)
                    // A comment now and then finds a reader that went away.
                    if ContinuousClock.now - lastWrite >= heartbeat {
                        try await writer.write(": \n\n")
                        lastWrite = ContinuousClock.now
                    }
                }
            })
    }

    /// One `log` event: `bytes` (the log from `start`) as the JSON object's `text`, with the
    /// offset after them as its id, and `times`: the entries that say when its bytes were
    /// written (`[offset, unix milliseconds]`, the first one at or before `start`).
    static func logEvent(_ bytes: ArraySlice<UInt8>, from start: Int = 0, endingAt offset: Int, times: LogTimes = LogTimes([])) -> [UInt8] {
        var json = JSONBuffer(capacity: bytes.count + bytes.count / 8 + 64)
        json.raw(#"{"text":"#)
        json.string(String(decoding: bytes, as: UTF8.self))
        json.raw(#","times":["#)
        for (index, time) in times.covering(start..<offset).enumerated() {
            if index > 0 { json.raw(",") }
            json.raw("[")
            json.integer(Int64(time.offset))
            json.raw(",")
            json.integer(time.unixMilliseconds)
            json.raw("]")
        }
        json.raw("]}")
        var event = Array("id: \(offset)\nevent: log\ndata: ".utf8)
        event.reserveCapacity(event.count + bytes.count + 64)
        event.append(contentsOf: json.bytes)
        event.append(contentsOf: "\n\n".utf8)
        return event
    }
}

/// A log's times index as a stream sends it.
struct LogTimes: Sendable {
    private(set) var entries: [LogTime]

    init(_ entries: [LogTime]) { self.entries = entries }

    /// The entries that date the bytes `range`: the last one at or before its start, and every
    /// one inside it.
    func covering(_ range: Range<Int>) -> ArraySlice<LogTime> {
        let firstInside = self.entries.partitionPoint { $0.offset >= range.lowerBound }
        let start = firstInside > 0 && (firstInside == self.entries.count || self.entries[firstInside].offset > range.lowerBound) ? firstInside - 1 : firstInside
        let end = self.entries.partitionPoint { $0.offset >= range.upperBound }
        return start < end ? self.entries[start..<end] : []
    }

    /// Reads the index again when `offset` is past its last entry (the log grew since).
    mutating func refresh(for offset: Int, _ read: () async throws -> [LogTime]) async throws {
        guard let last = self.entries.last else {
            self.entries = try await read()
            return
        }
        if last.offset < offset { self.entries = try await read() }
    }
}

extension Array {
    /// The index of the first element for which `predicate` holds, in an array where it holds
    /// for a suffix (binary search).
    func partitionPoint(_ predicate: (Element) -> Bool) -> Int {
        var low = 0
        var high = self.count
        while low < high {
            let middle = (low + high) / 2
            if predicate(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}

/// UTF-8 boundaries of log text.
public enum LogText {
    /// The length of the longest prefix of `bytes` that does not end inside a character: all
    /// of it, unless its last one to three bytes start a character whose rest has not arrived.
    /// Invalid bytes count as complete (a decoder replaces them).
    public static func completeCharactersLength(_ bytes: some RandomAccessCollection<UInt8>) -> Int {
        let count = bytes.count
        var back = 0
        var index = bytes.index(bytes.endIndex, offsetBy: -1, limitedBy: bytes.startIndex)
        while let current = index, back < 4 {
            let byte = bytes[current]
            if byte & 0xC0 != 0x80 {
                let needed = byte < 0xC0 ? 1 : byte < 0xE0 ? 2 : byte < 0xF0 ? 3 : byte < 0xF8 ? 4 : 1
                let position = count - 1 - back
                return position + needed <= count ? count : position
            }
            back += 1
            index = current == bytes.startIndex ? nil : bytes.index(before: current)
        }
        return count
    }
}
