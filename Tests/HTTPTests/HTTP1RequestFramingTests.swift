// slipway — HTTP tests
// SPDX-License-Identifier: Apache-2.0

import Testing
@testable import HTTP

@Suite("HTTP/1.1 body framing (RFC 9112 §6)")
struct HTTP1RequestFramingTests {
    static func decide(_ fields: [(String, String)], version: HTTPVersion = .http1_1, method: HTTPMethod = .post) -> Result<HTTP1BodyFraming.Decision, HTTP1ParseError> {
        var headFields = HTTPFields()
        for (name, value) in fields { headFields.append(name: name, value: value) }
        return HTTP1BodyFraming.decide(for: HTTPRequestHead(method: method, target: "/", version: version, fields: headFields))
    }

    /// Request smuggling vectors (Http11Probe ids) and the status each must get.
    static let rejected: [(name: String, fields: [(String, String)], status: Int)] = [
        ("SMUG-CL-TE-BOTH", [("Host", "h"), ("Content-Length", "23"), ("Transfer-Encoding", "chunked")], 400),
        ("SMUG-TECL-DESYNC", [("Host", "h"), ("Transfer-Encoding", "chunked"), ("Content-Length", "30")], 400),
        ("SMUG-DUPLICATE-CL", [("Host", "h"), ("Content-Length", "5"), ("Content-Length", "10")], 400),
        ("SMUG-DUPLICATE-CL-SAME", [("Host", "h"), ("Content-Length", "5"), ("Content-Length", "5")], 400),
        ("SMUG-CL-COMMA-DIFFERENT", [("Host", "h"), ("Content-Length", "5, 10")], 400),
        ("SMUG-CL-COMMA-SAME", [("Host", "h"), ("Content-Length", "5, 5")], 400),
        ("CL-PLUS-SIGN", [("Host", "h"), ("Content-Length", "+5")], 400),
        ("SMUG-CL-NEGATIVE", [("Host", "h"), ("Content-Length", "-1")], 400),
        ("SMUG-CL-NEGATIVE-ZERO", [("Host", "h"), ("Content-Length", "-0")], 400),
        ("SMUG-CL-HEX-PREFIX", [("Host", "h"), ("Content-Length", "0x5")], 400),
        ("SMUG-CL-OCTAL", [("Host", "h"), ("Content-Length", "0o5")], 400),
        ("SMUG-CL-UNDERSCORE", [("Host", "h"), ("Content-Length", "1_0")], 400),
        ("SMUG-CL-INTERNAL-SPACE", [("Host", "h"), ("Content-Length", "1 0")], 400),
        ("CL-NON-NUMERIC", [("Host", "h"), ("Content-Length", "abc")], 400),
        ("MAL-CL-EMPTY", [("Host", "h"), ("Content-Length", "")], 400),
        ("MAL-CL-OVERFLOW", [("Host", "h"), ("Content-Length", "99999999999999999999")], 400),
        ("SMUG-TE-XCHUNKED", [("Host", "h"), ("Transfer-Encoding", "xchunked")], 501),
        ("SMUG-TE-DUPLICATE-HEADERS", [("Host", "h"), ("Transfer-Encoding", "chunked"), ("Transfer-Encoding", "identity")], 400),
        ("SMUG-TE-NOT-FINAL-CHUNKED", [("Host", "h"), ("Transfer-Encoding", "chunked, gzip")], 400),
        ("SMUG-TE-GZIP-CHUNKED", [("Host", "h"), ("Transfer-Encoding", "gzip, chunked")], 400),
        ("SMUG-TE-DOUBLE-CHUNKED", [("Host", "h"), ("Transfer-Encoding", "chunked, chunked")], 400),
        ("SMUG-TE-IDENTITY", [("Host", "h"), ("Transfer-Encoding", "identity")], 400),
        ("COMP-UNKNOWN-TE-501", [("Host", "h"), ("Transfer-Encoding", "gzip")], 501),
        ("TE-EMPTY", [("Host", "h"), ("Transfer-Encoding", "")], 400),
        ("TE-CHUNKED-PARAMETER", [("Host", "h"), ("Transfer-Encoding", "chunked;x=y")], 400),
        ("TE-VTAB", [("Host", "h"), ("Transfer-Encoding", "\u{b}chunked")], 400),
        ("MISSING-HOST", [("Content-Length", "0")], 400),
        ("DUPLICATE-HOST", [("Host", "h"), ("Host", "h")], 400),
        ("HOST-EMPTY", [("Host", "")], 400),
        ("HOST-USERINFO", [("Host", "user@h")], 400),
        ("HOST-PATH", [("Host", "h/path")], 400),
        ("HOST-COMMA", [("Host", "a, b")], 400),
        ("EXPECT-UNKNOWN", [("Host", "h"), ("Expect", "something-else")], 417),
    ]

    @Test(arguments: rejected)
    func rejectsAmbiguousFraming(_ testCase: (name: String, fields: [(String, String)], status: Int)) {
        guard case .failure(let error) = Self.decide(testCase.fields) else {
            Issue.record("\(testCase.name): expected a failure")
            return
        }
        #expect(error.status.code == testCase.status, "\(testCase.name): \(error.reason)")
    }

    @Test func rejectsTransferEncodingInHTTP10() {
        guard case .failure(let error) = Self.decide([("Transfer-Encoding", "chunked")], version: .http1_0) else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.status.code == 400)
    }

    static let accepted: [(name: String, fields: [(String, String)], framing: HTTP1BodyFraming)] = [
        ("no body", [("Host", "h")], .none),
        ("content length", [("Host", "h"), ("Content-Length", "5")], .contentLength(5)),
        ("leading zeros are decimal", [("Host", "h"), ("Content-Length", "005")], .contentLength(5)),
        ("zero length", [("Host", "h"), ("Content-Length", "0")], .none),
        ("chunked", [("Host", "h"), ("Transfer-Encoding", "chunked")], .chunked),
        ("chunked, any case", [("Host", "h"), ("Transfer-Encoding", "CHUNKED")], .chunked),
        ("chunked, trailing OWS", [("Host", "h"), ("Transfer-Encoding", "chunked ")], .chunked),
        ("underscore is another header", [("Host", "h"), ("Transfer_Encoding", "chunked"), ("Content-Length", "5")], .contentLength(5)),
        ("host with port", [("Host", "127.0.0.1:8080")], .none),
        ("IPv6 host", [("Host", "[::1]:8080")], .none),
    ]

    @Test(arguments: accepted)
    func acceptsValidFraming(_ testCase: (name: String, fields: [(String, String)], framing: HTTP1BodyFraming)) throws {
        let decision = try Self.decide(testCase.fields).get()
        #expect(decision.framing == testCase.framing, "\(testCase.name)")
    }

    @Test func http10MayOmitHost() throws {
        let decision = try Self.decide([], version: .http1_0).get()
        #expect(decision.framing == .none)
        #expect(decision.keepAlive == false)
    }

    @Test(arguments: [
        (HTTPVersion.http1_1, "", true), (.http1_1, "close", false), (.http1_1, "keep-alive", true),
        (.http1_0, "", false), (.http1_0, "keep-alive", true), (.http1_0, "Keep-Alive", true), (.http1_1, "Upgrade, close", false),
    ])
    func decidesKeepAlive(version: HTTPVersion, connection: String, expected: Bool) throws {
        var fields: [(String, String)] = version == .http1_1 ? [("Host", "h")] : []
        if !connection.isEmpty { fields.append(("Connection", connection)) }
        #expect(try Self.decide(fields, version: version).get().keepAlive == expected)
    }

    @Test func expectContinueOnlyForHTTP11WithABody() throws {
        #expect(try Self.decide([("Host", "h"), ("Content-Length", "5"), ("Expect", "100-continue")]).get().expectsContinue)
        #expect(try Self.decide([("Host", "h"), ("Expect", "100-Continue")]).get().expectsContinue == false)
        #expect(try Self.decide([("Content-Length", "5"), ("Expect", "100-continue")], version: .http1_0).get().expectsContinue == false)
    }
}
