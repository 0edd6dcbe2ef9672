// slipway — HTTP tests
// SPDX-License-Identifier: Apache-2.0

import Testing
@testable import HTTP

/// Parses `text` in one piece and returns the outcome.
func parseHead(_ text: String, limits: HTTP1Limits = HTTP1Limits()) -> HTTP1HeadParser.Result {
    var parser = HTTP1HeadParser(limits: limits)
    return Array(text.utf8).withUnsafeBytes { parser.parse($0) }
}

@Suite("HTTP/1.1 request head parser")
struct HTTP1HeadParserTests {
    @Test func parsesSimpleRequest() throws {
        guard case .complete(let head, let consumed) = parseHead("GET /healthz?x=1 HTTP/1.1\r\nHost: example\r\nAccept: */*\r\n\r\nEXTRA") else {
            Issue.record("expected a complete head")
            return
        }
        #expect(head.method == .get)
        #expect(head.target == "/healthz?x=1")
        #expect(head.path == "/healthz")
        #expect(head.query == "x=1")
        #expect(head.version == .http1_1)
        #expect(head.fields.fields.map(\.name) == ["Host", "Accept"])
        #expect(head.fields["host"] == "example")
        #expect(consumed == "GET /healthz?x=1 HTTP/1.1\r\nHost: example\r\nAccept: */*\r\n\r\n".utf8.count)
    }

    @Test func keepsDuplicateFieldsInOrder() {
        guard case .complete(let head, _) = parseHead("GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nx-a: 2\r\n\r\n") else {
            Issue.record("expected a complete head")
            return
        }
        #expect(head.fields.values("X-A") == ["1", "2"])
    }

    @Test func trimsOptionalWhitespaceAroundValues() {
        guard case .complete(let head, _) = parseHead("GET / HTTP/1.1\r\nHost:\t h \t\r\n\r\n") else {
            Issue.record("expected a complete head")
            return
        }
        #expect(head.fields["Host"] == "h")
    }

    @Test func toleratesLeadingEmptyLines() {
        guard case .complete(let head, _) = parseHead("\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n") else {
            Issue.record("expected a complete head")
            return
        }
        #expect(head.method == .get)
    }

    @Test func acceptsHTTP10AndAbsoluteForm() {
        guard case .complete(let head, _) = parseHead("GET http://example.com/a/b?c HTTP/1.0\r\n\r\n") else {
            Issue.record("expected a complete head")
            return
        }
        #expect(head.version == .http1_0)
        #expect(head.path == "/a/b")
        #expect(head.query == "c")
    }

    @Test func waitsForTheEndOfTheHead() {
        #expect(parseHead("GET / HTTP/1.1\r\nHost: h\r\n") == .needMore)
        #expect(parseHead("GET / HTTP/1.1\r\nHost: h\r\n\r") == .needMore)
        #expect(parseHead("") == .needMore)
    }

    @Test func parsesAHeadFedOneByteAtATime() {
        let bytes = Array("GET /a HTTP/1.1\r\nHost: h\r\nX: y\r\n\r\n".utf8)
        var parser = HTTP1HeadParser()
        for end in 1...bytes.count {
            let result = Array(bytes[0..<end]).withUnsafeBytes { parser.parse($0) }
            if end < bytes.count {
                #expect(result == .needMore, "after \(end) bytes")
            } else if case .complete(let head, let consumed) = result {
                #expect(head.target == "/a")
                #expect(consumed == bytes.count)
            } else {
                Issue.record("expected completion, got \(result)")
            }
        }
    }

    /// Malformed heads and the status each must get (http-robustness.md §1–2).
    static let malformed: [(name: String, request: String, status: Int)] = [
        ("bare LF after request line", "GET / HTTP/1.1\nHost: h\r\n\r\n", 400),
        ("bare LF after header", "GET / HTTP/1.1\r\nHost: h\n\r\n", 400),
        ("bare CR line ending", "GET / HTTP/1.1\rHost: h\r\n\r\n", 400),
        ("bare CR in header value", "GET / HTTP/1.1\r\nHost: h\r\nX: a\rb\r\n\r\n", 400),
        ("two spaces in request line", "GET  / HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("tab in request line", "GET\t/ HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("lowercase version", "GET / http/1.1\r\nHost: h\r\n\r\n", 400),
        ("version HTTP/1", "GET / HTTP/1\r\nHost: h\r\n\r\n", 400),
        ("version HTTP/01.01", "GET / HTTP/01.01\r\nHost: h\r\n\r\n", 400),
        ("space inside version", "GET / HTTP/ 1.1\r\nHost: h\r\n\r\n", 400),
        ("version 2.0", "GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505),
        ("version 9.9", "GET / HTTP/9.9\r\nHost: h\r\n\r\n", 505),
        ("HTTP/0.9 request", "GET /\r\n\r\n", 400),
        ("space in target", "GET /a b HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("NUL in target", "GET /a\u{0}b HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("non-ASCII target", "GET /caf\u{e9} HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("asterisk with GET", "GET * HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("relative target", "GET a/b HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("whitespace before colon", "GET / HTTP/1.1\r\nHost : h\r\n\r\n", 400),
        ("tab before colon", "GET / HTTP/1.1\r\nHost\t: h\r\n\r\n", 400),
        ("obs-fold", "GET / HTTP/1.1\r\nHost: h\r\nX-Test: value\r\n continued\r\n\r\n", 400),
        ("whitespace line before headers", "GET / HTTP/1.1\r\n \r\nHost: h\r\n\r\n", 400),
        ("empty header name", "GET / HTTP/1.1\r\n: x\r\nHost: h\r\n\r\n", 400),
        ("header without colon", "GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n", 400),
        ("invalid header name", "GET / HTTP/1.1\r\nBad[Name: x\r\n\r\n", 400),
        ("non-ASCII header name", "GET / HTTP/1.1\r\nX-Caf\u{e9}: x\r\n\r\n", 400),
        ("NUL in header value", "GET / HTTP/1.1\r\nX: a\u{0}b\r\n\r\n", 400),
        ("control character in value", "GET / HTTP/1.1\r\nX: a\u{1}b\r\n\r\n", 400),
        ("DEL in header value", "GET / HTTP/1.1\r\nX: a\u{7f}b\r\n\r\n", 400),
        ("binary garbage", "\u{1}\u{2}\u{3}\u{4}\r\n\r\n", 400),
        ("too many empty lines", "\r\n\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\n\r\n", 400),
    ]

    @Test(arguments: malformed)
    func rejectsMalformedHeads(_ testCase: (name: String, request: String, status: Int)) {
        guard case .failed(let error) = parseHead(testCase.request) else {
            Issue.record("\(testCase.name): expected a failure")
            return
        }
        #expect(error.status.code == testCase.status, "\(testCase.name): \(error.reason)")
    }

    @Test func rejectsALongTargetWith414() {
        let target = "/" + String(repeating: "a", count: 100_000)
        guard case .failed(let error) = parseHead("GET \(target) HTTP/1.1\r\nHost: h\r\n\r\n") else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.status.code == 414)
    }

    @Test func rejectsALongTargetBeforeItEnds() {
        // A target longer than the limit fails while it is still arriving, without waiting for CRLF.
        let partial = "GET /" + String(repeating: "a", count: 9000)
        guard case .failed(let error) = parseHead(partial) else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.status.code == 414)
    }

    @Test func rejectsALongMethodWith501() {
        let method = String(repeating: "A", count: 100_000)
        guard case .failed(let error) = parseHead("\(method) / HTTP/1.1\r\n\r\n") else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.status.code == 501)
    }

    @Test func rejectsLongOrManyHeadersWith431() {
        let longValue = "GET / HTTP/1.1\r\nHost: h\r\nX: \(String(repeating: "v", count: 100_000))\r\n\r\n"
        let longName = "GET / HTTP/1.1\r\nHost: h\r\n\(String(repeating: "n", count: 100_000)): v\r\n\r\n"
        let many = "GET / HTTP/1.1\r\nHost: h\r\n" + (0..<10_000).map { "X-\($0): v\r\n" }.joined() + "\r\n"
        for request in [longValue, longName, many] {
            guard case .failed(let error) = parseHead(request) else {
                Issue.record("expected a failure")
                continue
            }
            #expect(error.status.code == 431)
        }
    }

    @Test func appliesTheTotalHeadLimit() {
        var limits = HTTP1Limits()
        limits.maxHeadBytes = 1024
        let request = "GET / HTTP/1.1\r\nHost: h\r\n" + (0..<40).map { "X-\($0): \(String(repeating: "v", count: 30))\r\n" }.joined() + "\r\n"
        guard case .failed(let error) = parseHead(request, limits: limits) else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.status.code == 431)
    }
}
