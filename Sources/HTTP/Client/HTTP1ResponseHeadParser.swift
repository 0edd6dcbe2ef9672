// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

/// The status line and header fields of a response.
public struct HTTPResponseHead: Sendable, Hashable {
    public var version: HTTPVersion
    public var status: HTTPStatus
    public var fields: HTTPFields
}

/// Parses a response head (RFC 9112 §4) once it has fully arrived.
public enum HTTP1ResponseHeadParser {
    public enum Result: Sendable {
        case needMore
        case complete(HTTPResponseHead, consumed: Int)
        case failed(String)
    }

    public static let maxHeadBytes = 64 * 1024

    public static func parse(_ bytes: UnsafeRawBufferPointer) -> Result {
        guard let end = self.findHeadEnd(bytes) else {
            return bytes.count > self.maxHeadBytes ? .failed("the response head is larger than \(self.maxHeadBytes) bytes") : .needMore
        }
        // Status line: HTTP-version SP 3DIGIT SP [reason] CRLF
        var lineEnd = 0
        while bytes[lineEnd] != UInt8(ascii: "\r") { lineEnd += 1 }
        guard lineEnd >= 12,
              bytes[0] == UInt8(ascii: "H"), bytes[1] == UInt8(ascii: "T"), bytes[2] == UInt8(ascii: "T"), bytes[3] == UInt8(ascii: "P"),
              bytes[4] == UInt8(ascii: "/"), bytes[5] == UInt8(ascii: "1"), bytes[6] == UInt8(ascii: "."),
              HTTP1Syntax.isDigit(bytes[7]), bytes[8] == UInt8(ascii: " "),
              HTTP1Syntax.isDigit(bytes[9]), HTTP1Syntax.isDigit(bytes[10]), HTTP1Syntax.isDigit(bytes[11]),
              lineEnd == 12 || bytes[12] == UInt8(ascii: " ")
        else {
            return .failed("the response does not start with a valid HTTP/1.x status line")
        }
        let version: HTTPVersion = bytes[7] == UInt8(ascii: "0") ? .http1_0 : .http1_1
        let code = Int(bytes[9] - 48) * 100 + Int(bytes[10] - 48) * 10 + Int(bytes[11] - 48)
        let reason = lineEnd > 13 ? String(decoding: UnsafeRawBufferPointer(rebasing: bytes[13..<lineEnd]), as: UTF8.self) : ""
        var fields = HTTPFields()
        var index = lineEnd + 2
        while index < end {
            var fieldEnd = index
            while bytes[fieldEnd] != UInt8(ascii: "\r") || bytes[fieldEnd + 1] != UInt8(ascii: "\n") { fieldEnd += 1 }
            switch HTTP1HeadParser.parseField(bytes, from: index, to: fieldEnd) {
            case .success(let field): fields.append(name: field.name, value: field.value)
            case .failure(let error): return .failed("invalid response header: \(error.reason)")
            }
            index = fieldEnd + 2
        }
        return .complete(HTTPResponseHead(version: version, status: HTTPStatus(code: code, reasonPhrase: reason.isEmpty ? nil : reason), fields: fields), consumed: end + 4)
    }

    /// The offset of the CRLFCRLF that ends the head.
    private static func findHeadEnd(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard bytes.count >= 4 else { return nil }
        var index = 0
        let last = min(bytes.count, self.maxHeadBytes + 4) - 4
        while index <= last {
            if bytes[index + 3] != UInt8(ascii: "\n") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "\r"), bytes[index + 1] == UInt8(ascii: "\n"), bytes[index + 2] == UInt8(ascii: "\r") {
                return index
            }
            index += 1
        }
        return nil
    }
}
