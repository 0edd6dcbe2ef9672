// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

/// How the body of a request is delimited, decided once from its head (RFC 9112 §6).
public enum HTTP1BodyFraming: Sendable, Hashable {
    case none
    case contentLength(Int)
    case chunked

    /// What the server needs to know about a request head before reading its body.
    public struct Decision: Sendable, Hashable {
        public var framing: HTTP1BodyFraming
        /// `Expect: 100-continue` was sent.
        public var expectsContinue: Bool
        /// The connection can stay open after the response.
        public var keepAlive: Bool
    }

    /// Validates the head's framing and Host fields and decides how its body is delimited.
    ///
    /// Every ambiguity is an error that closes the connection: Content-Length together with
    /// Transfer-Encoding, a Transfer-Encoding other than exactly `chunked`, malformed or repeated
    /// Content-Length, a missing or repeated Host. A proxy in front of us might frame the
    /// message differently, so guessing would open the door to request smuggling.
    public static func decide(for head: HTTPRequestHead) -> Result<Decision, HTTP1ParseError> {
        let framingFields = FramingFields(head.fields)
        if let error = self.validateHost(framingFields.host, version: head.version) { return .failure(error) }

        let transferEncoding = framingFields.transferEncoding
        let contentLength = framingFields.contentLength
        let framing: HTTP1BodyFraming
        if let transferEncodingValue = transferEncoding.first {
            if head.version == .http1_0 {
                return .failure(HTTP1ParseError(.badRequest, "Transfer-Encoding is not defined for HTTP/1.0 requests"))
            }
            if contentLength.count > 0 {
                return .failure(HTTP1ParseError(.badRequest, "a request must not carry both Content-Length and Transfer-Encoding"))
            }
            guard transferEncoding.count == 1 else {
                return .failure(HTTP1ParseError(.badRequest, "more than one Transfer-Encoding line"))
            }
            let codings = transferEncodingValue.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingHTTPWhitespace() }
            if codings.count == 1, codings[0].equalsASCIICaseInsensitive("chunked") {
                framing = .chunked
            } else if codings.count == 1, !codings[0].isEmpty, !codings[0].equalsASCIICaseInsensitive("identity"),
                      codings[0].utf8.allSatisfy(HTTP1Syntax.isTokenCharacter)
            {
                return .failure(HTTP1ParseError(.notImplemented, "the transfer coding '\(codings[0].prefix(32))' is not implemented; use chunked"))
            } else {
                return .failure(HTTP1ParseError(.badRequest, "Transfer-Encoding must be exactly 'chunked'"))
            }
        } else if let contentLengthValue = contentLength.first {
            guard contentLength.count == 1 else {
                return .failure(HTTP1ParseError(.badRequest, "more than one Content-Length line"))
            }
            guard let length = self.parseContentLength(contentLengthValue) else {
                return .failure(HTTP1ParseError(.badRequest, "Content-Length must be a single non-negative decimal number"))
            }
            framing = length == 0 ? .none : .contentLength(length)
        } else {
            framing = .none
        }

        var expectsContinue = false
        let expect = framingFields.expect
        if let expectation = expect.first {
            guard expect.count == 1, expectation.trimmingHTTPWhitespace().equalsASCIICaseInsensitive("100-continue") else {
                return .failure(HTTP1ParseError(.expectationFailed, "the only supported expectation is 100-continue"))
            }
            // RFC 9110 §10.1.1: a server must not send 100 Continue to an HTTP/1.0 client.
            expectsContinue = head.version == .http1_1 && framing != .none
        }
        return .success(Decision(framing: framing, expectsContinue: expectsContinue, keepAlive: head.wantsKeepAlive))
    }

    /// The fields that decide framing, gathered in one pass over the head: how many lines of
    /// each and the first value, which is all the checks need. (Four `values(_:)` calls would
    /// scan the fields four times and allocate an array each.)
    private struct FramingFields {
        struct Lines {
            var count = 0
            var first: String?

            mutating func add(_ value: String) {
                if self.count == 0 { self.first = value }
                self.count += 1
            }
        }

        var host = Lines()
        var transferEncoding = Lines()
        var contentLength = Lines()
        var expect = Lines()

        init(_ fields: HTTPFields) {
            for field in fields {
                let name = field.name
                switch name.utf8.count {
                case 4 where name.equalsASCIICaseInsensitive("host"): self.host.add(field.value)
                case 6 where name.equalsASCIICaseInsensitive("expect"): self.expect.add(field.value)
                case 14 where name.equalsASCIICaseInsensitive("content-length"): self.contentLength.add(field.value)
                case 17 where name.equalsASCIICaseInsensitive("transfer-encoding"): self.transferEncoding.add(field.value)
                default: break
                }
            }
        }
    }

    /// `1*DIGIT`, parsed by hand: `Int(_:)` would accept `+5` and `-0`. Leading zeros are decimal.
    public static func parseContentLength(_ text: String) -> Int? {
        var value = 0
        var sawDigit = false
        for byte in text.utf8 {
            guard HTTP1Syntax.isDigit(byte) else { return nil }
            sawDigit = true
            let (multiplied, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (added, overflow2) = multiplied.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
            if overflow1 || overflow2 { return nil }
            value = added
        }
        return sawDigit ? value : nil
    }

    /// RFC 9112 §3.2: exactly one Host line in HTTP/1.1, with a valid `uri-host [ ":" port ]`.
    private static func validateHost(_ hosts: FramingFields.Lines, version: HTTPVersion) -> HTTP1ParseError? {
        guard var host = hosts.first else {
            return version == .http1_1 ? HTTP1ParseError(.badRequest, "an HTTP/1.1 request needs a Host header") : nil
        }
        guard hosts.count == 1 else { return HTTP1ParseError(.badRequest, "more than one Host header") }
        guard !host.isEmpty else { return HTTP1ParseError(.badRequest, "the Host header is empty") }
        let valid = host.withUTF8 { bytes in bytes.allSatisfy { byte in
            // reg-name / IP-literal characters and the port colon; no userinfo, path, list or space.
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return true
            default:
                switch byte {
                case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "!"), UInt8(ascii: "$"),
                     UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"),
                     UInt8(ascii: ";"), UInt8(ascii: "="), UInt8(ascii: ":"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "%"):
                    return true
                default:
                    return false
                }
            }
        } }
        return valid ? nil : HTTP1ParseError(.badRequest, "the Host header '\(host.prefix(64))' is not a valid host[:port]")
    }
}
