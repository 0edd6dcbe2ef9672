// slipway — HTTP tests
// SPDX-License-Identifier: Apache-2.0

import Testing
@testable import HTTP

/// Found by the HTTP/1.1 fuzz target (fuzz/run-http1.sh): the same bytes must decode to the
/// same events however TCP happens to split them into reads.
///
/// The head parser used to check its line limits and its method-length heuristic only at the
/// end of each read (on the partial line), not at the byte that crosses them, so whether a
/// request failed, and with which status, depended on where a read ended:
/// - the partial-line check counted a line's terminating CR, so a line of exactly the limit was
///   refused (431/414) when a read ended between its CR and LF, and accepted otherwise;
/// - "more than 32 bytes before the first space" failed a request line (501 or 400) only while
///   the line was incomplete; the same complete line yielded a head, a 505, or a wait;
/// - a line over a limit that ended in a bare LF got 431 or 400 depending on the split.
@Suite("HTTP/1.1 decoder: segmentation independence (fuzz findings)")
struct HTTP1SegmentationTests {
    static let fieldLine = "X: " + String(repeating: "v", count: HTTP1Limits().maxFieldLineBytes - 3)
    static let exactFieldLine = "GET / HTTP/1.1\r\nHost: h\r\n\(fieldLine)\r\n\r\n"
    static let exactTarget = "/" + String(repeating: "a", count: HTTP1Limits().maxRequestLineBytes - "GET  HTTP/1.1".utf8.count - 1)
    static let exactRequestLine = "GET \(exactTarget) HTTP/1.1\r\nHost: h\r\n\r\n"

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var stream: String
        /// Reads of this many bytes (the last one shorter).
        var step: Int
        var testDescription: String { self.name }

        init(_ name: String, _ stream: String, _ step: Int) {
            self.name = name
            self.stream = stream
            self.step = step
        }
    }

    static let cases: [Case] = [
        // A read ends right after the CR of a header line of exactly maxFieldLineBytes.
        Case("field line of exactly the limit, read ends after its CR", exactFieldLine, "GET / HTTP/1.1\r\nHost: h\r\n\(fieldLine)\r".utf8.count),
        // A read ends right after the CR of a request line of exactly maxRequestLineBytes.
        Case("request line of exactly the limit, read ends after its CR", exactRequestLine, "GET \(exactTarget) HTTP/1.1\r".utf8.count),
        // In one piece a head with method "AAA…A" (later answered 501); one byte at a time, 501 at once.
        Case("40-byte method token", String(repeating: "A", count: 40) + " / HTTP/1.1\r\nHost: h\r\n\r\n", 1),
        // In one piece 505 (unsupported version); one byte at a time, 501.
        Case("40-byte method token, HTTP/2.0", String(repeating: "A", count: 40) + " / HTTP/2.0\r\nHost: h\r\n\r\n", 1),
        // In one piece the parser waits for the rest of the head; one byte at a time, 400.
        Case("40 bytes of garbage as request line, head incomplete", String(repeating: "\u{1}", count: 40) + "\r\nHost: h\r\n", 1),
        // In one piece 400 (bare LF); 431 (line too long) when a read ends inside the line past the limit.
        Case("over-long header line ending in a bare LF", "GET / HTTP/1.1\r\nHost: h\r\nX: \(String(repeating: "v", count: 8200))\n\r\n", 8220),
        // The head limit crossed inside a line that ends in a bare LF: 431 either way, not 400
        // in one piece.
        Case("head limit crossed by a line ending in a bare LF", overHeadLimit, overHeadLimit.utf8.count - 3),
        // A 32-byte first token followed by CR: the CR may begin the CRLF, so the method
        // heuristic must not count it (in one piece the parser waits for the rest of the head).
        Case("32-byte token, read ends after its CR, head incomplete", String(repeating: "A", count: 32) + "\r\nHost: h\r\n", 33),
        // A long first token ending in a bare LF: 501 (method heuristic) either way.
        Case("40-byte token ending in a bare LF", String(repeating: "A", count: 40) + "\n\r\n", 1),
    ]

    /// Four 8000-byte header lines, then one ending in a bare LF past the 32 KiB head limit.
    static let overHeadLimit = "GET / HTTP/1.1\r\nHost: h\r\n"
        + String(repeating: "X: \(String(repeating: "v", count: 7995))\r\n", count: 4)
        + "Y: \(String(repeating: "w", count: 1000))\n\r\n"

    @Test(arguments: cases)
    func decodesTheSameHoweverTheBytesAreSplit(_ testCase: Case) {
        let onePiece = Self.brief(decodeRequests(testCase.stream))
        let split = Self.brief(decodeRequests(testCase.stream, step: testCase.step))
        #expect(split == onePiece, "reads of \(testCase.step) bytes")
    }

    /// Events with long targets shortened, so a failure prints readably.
    static func brief(_ events: [DecodedEvent]) -> [String] {
        events.map { event in
            guard case .head(let line, let framing) = event, line.count > 40 else { return "\(event)" }
            return "head(\(line.prefix(24))… \(line.count) chars, hash \(line.hashValue), \(framing))"
        }
    }

    @Test func acceptsLinesOfExactlyTheLimit() {
        // What one-piece parsing already does: a limit is a maximum, not an exclusive bound.
        #expect(decodeRequests(Self.exactFieldLine) == [.head("GET /", .none), .end])
        #expect(decodeRequests(Self.exactRequestLine) == [.head("GET \(Self.exactTarget)", .none), .end])
    }
}
