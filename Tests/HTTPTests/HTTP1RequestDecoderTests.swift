// slipway — HTTP tests
// SPDX-License-Identifier: Apache-2.0

import Testing
@testable import HTTP

/// What the decoder produced for a byte stream.
enum DecodedEvent: Equatable {
    case head(String, HTTP1BodyFraming)
    case body(String)
    case end
    case failed(Int)
}

/// Runs a decoder over `text`, fed in pieces of `step` bytes, like a connection would.
func decodeRequests(_ text: String, step: Int = .max, bodyLimit: Int = .max) -> [DecodedEvent] {
    let bytes = Array(text.utf8)
    var decoder = HTTP1RequestDecoder()
    var events: [DecodedEvent] = []
    var buffer: [UInt8] = []
    var offset = 0
    var body: [UInt8] = []
    while true {
        if offset < bytes.count {
            let end = min(bytes.count, offset + step)
            buffer.append(contentsOf: bytes[offset..<end])
            offset = end
        }
        var progressed = true
        while progressed {
            progressed = false
            let outcome = buffer.withUnsafeBytes { raw in decoder.decode(raw) { body.append(contentsOf: $0) } }
            switch outcome {
            case .needMore(let consumed):
                buffer.removeFirst(consumed)
            case .head(let head, let decision, let consumed):
                buffer.removeFirst(consumed)
                decoder.bodyLimit = bodyLimit
                events.append(.head("\(head.method) \(head.target)", decision.framing))
                progressed = true
            case .end(let consumed):
                buffer.removeFirst(consumed)
                if !body.isEmpty { events.append(.body(String(decoding: body, as: UTF8.self))) }
                body = []
                events.append(.end)
                progressed = true
            case .failed(let error):
                events.append(.failed(error.status.code))
                return events
            }
        }
        if offset >= bytes.count { return events }
    }
}

@Suite("HTTP/1.1 request decoder")
struct HTTP1RequestDecoderTests {
    @Test(arguments: [Int.max, 1, 7])
    func decodesPipelinedRequestsInOrder(step: Int) {
        let stream = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
            + "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
            + "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
            + "GET /d HTTP/1.1\r\nHost: h\r\n\r\n"
        #expect(decodeRequests(stream, step: step) == [
            .head("GET /a", .none), .end,
            .head("POST /b", .contentLength(5)), .body("hello"), .end,
            .head("POST /c", .chunked), .body("abc"), .end,
            .head("GET /d", .none), .end,
        ])
    }

    @Test func neverParsesSmuggledBytesAsARequest() {
        // SMUG-CLTE-SMUGGLED-GET: one 400, and the embedded GET is never seen.
        let stream = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 30\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /admin HTTP/1.1\r\nHost: h\r\n\r\n"
        #expect(decodeRequests(stream) == [.failed(400)])
    }

    @Test func bodyAfterContentLengthZeroIsTheNextRequest() {
        // SMUG-CL0-BODY-POISON: the stray X is never merged into the POST; it starts the next
        // request line (method "XGET", which the server answers 501 and closes).
        let stream = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\nXGET / HTTP/1.1\r\nHost: h\r\n\r\n"
        #expect(decodeRequests(stream) == [.head("POST /", .none), .end, .head("XGET /", .none), .end])
        let garbage = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n\u{1}GET / HTTP/1.1\r\nHost: h\r\n\r\n"
        #expect(decodeRequests(garbage) == [.head("POST /", .none), .end, .failed(400)])
    }

    @Test func headRequestBodyIsConsumed() {
        let stream = "HEAD / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhelloGET /next HTTP/1.1\r\nHost: h\r\n\r\n"
        #expect(decodeRequests(stream) == [.head("HEAD /", .contentLength(5)), .body("hello"), .end, .head("GET /next", .none), .end])
    }

    @Test func refusesAContentLengthOverTheLimit() {
        let stream = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 999999999\r\n\r\n"
        #expect(decodeRequests(stream, bodyLimit: 1024) == [.head("POST /", .contentLength(999_999_999)), .failed(413)])
    }

    @Test func refusesAChunkedBodyOverTheLimit() {
        let chunk = String(repeating: "x", count: 600)
        let stream = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n\(chunk)\r\n258\r\n\(chunk)\r\n0\r\n\r\n"
        let events = decodeRequests(stream, step: 100, bodyLimit: 1000)
        #expect(events.first == .head("POST /", .chunked))
        #expect(events.last == .failed(413))
    }
}
