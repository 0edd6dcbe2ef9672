// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

/// Serialises HTTP/1.1 response heads and chunked framing.
enum HTTP1ResponseEncoder {
    /// How the body that follows the head is delimited.
    enum Framing: Equatable {
        /// No body and no length field (1xx, 204, 304).
        case bodiless
        case contentLength(Int)
        case chunked
        /// HTTP/1.0 without a known length: the body ends when the connection closes.
        case untilClose
    }

    /// Fields the server sets itself; values a handler sets for these are ignored so that
    /// framing is decided in exactly one place.
    static func isReservedField(_ name: String) -> Bool {
        switch name.utf8.count {
        case 4: name.equalsASCIICaseInsensitive("date")
        case 7: name.equalsASCIICaseInsensitive("upgrade")
        case 10: name.equalsASCIICaseInsensitive("connection") || name.equalsASCIICaseInsensitive("keep-alive")
        case 14: name.equalsASCIICaseInsensitive("content-length")
        case 17: name.equalsASCIICaseInsensitive("transfer-encoding")
        default: false
        }
    }

    /// Appends the response head to `output`.
    ///
    /// A field whose name is not a token, or whose value contains CR, LF or NUL, is left out:
    /// emitting it would let whoever chose the value split the response.
    static func encodeHead(
        status: HTTPStatus,
        fields: HTTPFields,
        version: HTTPVersion,
        framing: Framing,
        keepAlive: Bool,
        date: [UInt8],
        into output: inout [UInt8]
    ) {
        output.append(contentsOf: statusLine(for: status))
        output.append(contentsOf: date)
        switch framing {
        case .bodiless, .untilClose:
            break
        case .contentLength(let length):
            append("Content-Length: ", to: &output)
            appendDecimal(length, to: &output)
            append("\r\n", to: &output)
        case .chunked:
            append("Transfer-Encoding: chunked\r\n", to: &output)
        }
        if !keepAlive {
            append("Connection: close\r\n", to: &output)
        } else if version == .http1_0 {
            append("Connection: keep-alive\r\n", to: &output)
        }
        for field in fields where !isReservedField(field.name) && isValidField(field) {
            output.append(contentsOf: field.name.utf8)
            output.append(UInt8(ascii: ":"))
            output.append(UInt8(ascii: " "))
            output.append(contentsOf: field.value.utf8)
            append("\r\n", to: &output)
        }
        append("\r\n", to: &output)
    }

    /// Appends constant text from static storage: reading a `static let` array would retain
    /// and release it, several times per response.
    @inline(__always)
    private static func append(_ text: StaticString, to output: inout [UInt8]) {
        output.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// The header of one chunk of `length` bytes.
    static func appendChunkHeader(length: Int, to output: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        var digits: [UInt8] = []
        var value = length
        repeat {
            digits.append(hex[value & 0xF])
            value >>= 4
        } while value > 0
        output.append(contentsOf: digits.reversed())
        output.append(contentsOf: crlf)
    }

    static let crlf: [UInt8] = [0x0D, 0x0A]
    static let lastChunk: [UInt8] = Array("0\r\n\r\n".utf8)
    static let continueResponse: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// Prebuilt status lines indexed by `code - 100`: an array, not a dictionary, so the
    /// lookup on every response hashes nothing.
    private static let commonStatusLines: [[UInt8]?] = {
        var lines: [[UInt8]?] = Array(repeating: nil, count: 500)
        for code in [100, 101, 200, 201, 202, 204, 304, 400, 401, 403, 404, 405, 408, 409, 413, 414, 415, 422, 431, 500, 501, 503, 505] {
            let status = HTTPStatus(code: code)
            lines[code - 100] = Array("HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n".utf8)
        }
        return lines
    }()

    static func statusLine(for status: HTTPStatus) -> [UInt8] {
        if status.hasStandardReasonPhrase, (100..<600).contains(status.code), let line = commonStatusLines[status.code - 100] {
            return line
        }
        let reason = status.reasonPhrase.utf8.allSatisfy { $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) } ? status.reasonPhrase : ""
        return Array("HTTP/1.1 \(status.code) \(reason)\r\n".utf8)
    }

    static func isValidField(_ field: HTTPFields.Field) -> Bool {
        var name = field.name
        var value = field.value
        let nameValid = name.withUTF8 { bytes in !bytes.isEmpty && bytes.allSatisfy(HTTP1Syntax.isTokenCharacter) }
        return nameValid && value.withUTF8 { bytes in !bytes.contains { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 } }
    }

    static func appendDecimal(_ value: Int, to output: inout [UInt8]) {
        if value < 10 {
            output.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        // Digits are written in place from the end, without a temporary array.
        var digitCount = 0
        var remaining = value
        while remaining > 0 {
            digitCount += 1
            remaining /= 10
        }
        let start = output.count
        output.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: digitCount))
        remaining = value
        var index = start + digitCount - 1
        while remaining > 0 {
            output[index] = UInt8(ascii: "0") + UInt8(remaining % 10)
            remaining /= 10
            index -= 1
        }
    }
}
