// slipway — API server tests
// SPDX-License-Identifier: Apache-2.0

import API
import Foundation
import HTTP
import Jobs
import Testing

@Suite("GET /v1/jobs/{id}/log/events: the log as Server-Sent Events")
struct LogEventsTests {
    /// The `(id, event, data)` of every event in a stream.
    static func events(_ text: String) -> [(id: String?, event: String, data: String)] {
        text.components(separatedBy: "\n\n").compactMap { block in
            var id: String?
            var event = "message"
            var data: String?
            for line in block.split(separator: "\n") {
                if line.hasPrefix("id: ") { id = String(line.dropFirst(4)) }
                if line.hasPrefix("event: ") { event = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { data = String(line.dropFirst(6)) }
            }
            return data.map { (id, event, $0) }
        }
    }

    static func text(of events: [(id: String?, event: String, data: String)]) -> String {
        events.filter { $0.event == "log" }.map { event in
            let object = try? JSONSerialization.jsonObject(with: Data(event.data.utf8)) as? [String: Any]
            return object?["text"] as? String ?? "<not an object>"
        }.joined()
    }

    @Test func streamsTheLogInWholeCharactersWithOffsetsToResumeFrom() async throws {
        try await withAPIServer { server in
            let job = try await server.insertJob(status: .running)
            let logs = server.application.logs
            // "é" is split between two appends: no event may carry half of it.
            await logs.append([0x68, 0xC3], to: job.id)
            let stream = Task { try await server.request(.get, "/v1/jobs/\(job.id)/log/events") }
            // Lets the stream start before the rest arrives (the outcome must be the same either way).
            try await Task.sleep(for: .milliseconds(200))
            await logs.append([0xA9] + Array("llo \u{1B}[31mred\u{1B}[0m\n<script>\n".utf8), to: job.id)
            _ = try await server.apply(.succeed, to: job.id)
            await logs.finish(job.id)
            let response = try await stream.value
            #expect(response.status == 200 && response.fields["Content-Type"] == "text/event-stream")
            let events = Self.events(response.text)
            let whole = "héllo \u{1B}[31mred\u{1B}[0m\n<script>\n"
            #expect(Self.text(of: events) == whole)
            #expect(events.last?.event == "end" && events.last?.data == #"{"offset":\#(whole.utf8.count),"status":"success"}"#)
            #expect(events.filter { $0.event == "log" }.last?.id == String(whole.utf8.count))

            // Resuming from the first event's id repeats nothing.
            let first = try #require(events.first { $0.event == "log" })
            let resumed = try await server.request(.get, "/v1/jobs/\(job.id)/log/events", fields: [("Last-Event-ID", first.id ?? "")])
            let rest = Self.text(of: Self.events(resumed.text))
            #expect(Self.text(of: [first]) + rest == whole)
        }
    }

    @Test func refusesBadOffsetsAndUnknownJobs() async throws {
        try await withAPIServer { server in
            let job = try await server.insertJob(status: .success)
            for offset in ["-1", "abc", "99999999999999999999", ""] {
                #expect(try await server.request(.get, "/v1/jobs/\(job.id)/log/events?offset=\(offset)").status == 400, "\(offset)")
        }
        #expect(try await server.request(.get, "/v1/jobs/424242/log/events").status == 404)
        let past = try await server.request(.get, "/v1/jobs/\(job.id)/log/events?offset=100")
        #expect(Self.events(past.text).map(\.event) == ["end"])
        }
    }

    @Test(arguments: [
        ([0x61, 0x62], 2), ([0x61, 0xC3], 1), ([0x61, 0xC3, 0xA9], 3), ([0xE2, 0x82], 0), ([0xE2, 0x82, 0xAC], 3),
        ([0x61, 0xF0, 0x9F, 0x98], 1), ([0xF0, 0x9F, 0x98, 0x80], 4), ([0x80, 0x80], 2), ([0xFF], 1), ([], 0),
    ] as [([UInt8], Int)])
    func piecesEndOnCharacterBoundaries(bytes: [UInt8], complete: Int) {
        #expect(LogText.completeCharactersLength(bytes) == complete)
    }
}
