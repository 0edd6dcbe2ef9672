// slipway — HTTP tests
// SPDX-License-Identifier: Apache-2.0

import Testing
@testable import HTTP

/// Decodes `text` fed in pieces of `step` bytes; returns the body, or the error.
func decodeChunked(_ text: String, step: Int = .max, limits: HTTP1Limits = HTTP1Limits()) -> Result<(body: String, consumed: Int), HTTP1ParseError> {
    let bytes = Array(text.utf8)
    var decoder = HTTP1ChunkedDecoder(limits: limits)
    var body: [UInt8] = []
    var offset = 0
    var pending: [UInt8] = []
    while offset < bytes.count && !decoder.isComplete {
        let end = min(bytes.count, offset + max(1, min(step, bytes.count)))
        pending.append(contentsOf: bytes[offset..<end])
        offset = end
        let result = pending.withUnsafeBytes { raw in
            decoder.decode(raw) { event in
                if case .data(let start, let count) = event { body.append(contentsOf: raw[start..<(start + count)]) }
            }
        }
        switch result {
        case .failure(let error): return .failure(error)
        case .success(let consumed): pending.removeFirst(consumed)
        }
    }
    guard decoder.isComplete else { return .failure(HTTP1ParseError(.badRequest, "incomplete")) }
    return .success((String(decoding: body, as: UTF8.self), bytes.count - pending.count))
}

@Suite("chunked transfer coding")
struct HTTP1ChunkedDecoderTests {
    static let valid: [(name: String, body: String, decoded: String)] = [
        ("one chunk", "5\r\nhello\r\n0\r\n\r\n", "hello"),
        ("two chunks", "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "hello world"),
        ("uppercase hex", "A\r\n0123456789\r\n0\r\n\r\n", "0123456789"),
        ("leading zeros", "0005\r\nhello\r\n000\r\n\r\n", "hello"),
        ("extension", "5;name=value\r\nhello\r\n0\r\n\r\n", "hello"),
        ("extension without value", "5;flag\r\nhello\r\n0;last\r\n\r\n", "hello"),
        ("quoted extension", "5;n=\"a b;c\"\r\nhello\r\n0\r\n\r\n", "hello"),
        ("several extensions", "5;a=1;b=2\r\nhello\r\n0\r\n\r\n", "hello"),
        ("trailers are ignored", "5\r\nhello\r\n0\r\nX-Checksum: abc\r\nContent-Length: 50\r\n\r\n", "hello"),
        ("empty body", "0\r\n\r\n", ""),
    ]

    @Test(arguments: valid, [Int.max, 1, 3])
    func decodesValidBodies(_ testCase: (name: String, body: String, decoded: String), step: Int) throws {
        let result = try decodeChunked(testCase.body, step: step).get()
        #expect(result.body == testCase.decoded, "\(testCase.name)")
        #expect(result.consumed == testCase.body.utf8.count)
    }

    @Test func stopsAtTheEndOfTheBody() throws {
        let result = try decodeChunked("5\r\nhello\r\n0\r\n\r\nGET / HTTP/1.1\r\n").get()
        #expect(result.body == "hello")
        #expect(result.consumed == "5\r\nhello\r\n0\r\n\r\n".utf8.count)
    }

    static let invalid: [(name: String, body: String)] = [
        ("SMUG-CHUNK-SIZE-PLUS", "+5\r\nhello\r\n0\r\n\r\n"),
        ("SMUG-CHUNK-NEGATIVE", "-1\r\nhello\r\n0\r\n\r\n"),
        ("SMUG-CHUNK-HEX-PREFIX", "0x5\r\nhello\r\n0\r\n\r\n"),
        ("SMUG-CHUNK-LEADING-SP", " 5\r\nhello\r\n0\r\n\r\n"),
        ("SMUG-CHUNK-SIZE-TRAILING-OWS", "5 \r\nhello\r\n0\r\n\r\n"),
        ("SMUG-CHUNK-UNDERSCORE", "1_0\r\n0123456789abcdef\r\n0\r\n\r\n"),
        ("SMUG-CHUNK-BARE-SEMICOLON", "5;\r\nhello\r\n0\r\n\r\n"),
        ("SMUG-CHUNK-EXT-INVALID-TOKEN", "5;bad[=x\r\nhello\r\n0\r\n\r\n"),
        ("SMUG-CHUNK-BARE-CR-TERM", "5\rhello\r\n0\r\n\r\n"),
        ("bare LF after size", "5\nhello\r\n0\r\n\r\n"),
        ("SMUG-CHUNK-SPILL", "5\r\nhello!!\r\n0\r\n\r\n"),
        ("SMUG-CHUNK-MISSING-TRAILING-CRLF", "5\r\nhello0\r\n\r\n"),
        ("SMUG-CHUNK-INVALID-SIZE-DESYNC", "+0\r\n\r\nX"),
        ("MAL-CHUNK-SIZE-OVERFLOW", "FFFFFFFFFFFFFFFF0\r\nhello\r\n0\r\n\r\n"),
        ("empty size", "\r\nhello\r\n0\r\n\r\n"),
        ("unterminated quoted extension", "5;a=\"x\r\nhello\r\n0\r\n\r\n"),
        ("trailer without colon", "0\r\nNoColon\r\n\r\n"),
        ("obs-fold in trailer", "0\r\nX: a\r\n b\r\n\r\n"),
        ("bare LF in trailer", "0\r\nX: a\n\r\n"),
    ]

    @Test(arguments: invalid)
    func rejectsMalformedChunks(_ testCase: (name: String, body: String)) {
        guard case .failure(let error) = decodeChunked(testCase.body) else {
            Issue.record("\(testCase.name): expected a failure")
            return
        }
        #expect(error.status.code == 400, "\(testCase.name)")
    }

    @Test func capsChunkExtensions() {
        let body = "5;" + String(repeating: "a", count: 65_536) + "\r\nhello\r\n0\r\n\r\n"
        guard case .failure(let error) = decodeChunked(body) else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.reason.contains("extensions"))
    }

    @Test func capsTrailers() {
        let body = "0\r\n" + (0..<1000).map { "X-\($0): \(String(repeating: "v", count: 20))\r\n" }.joined() + "\r\n"
        guard case .failure(let error) = decodeChunked(body) else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.status.code == 431)
    }
}
