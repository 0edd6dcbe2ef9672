// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

/// An incremental decoder for the chunked transfer coding (RFC 9112 §7.1).
///
/// Strict where leniency lets two parsers disagree about where a body ends: hex digits only
/// (no sign, prefix or padding), CRLF exactly where the grammar puts it, chunk extensions
/// validated and capped, trailers parsed with header syntax, counted, and discarded.
public struct HTTP1ChunkedDecoder: Sendable {
    public enum Event: Equatable, Sendable {
        /// `count` bytes of body data start at `offset` in the input.
        case data(offset: Int, count: Int)
        /// The body ended; the decoder consumed everything up to the reported position.
        case end
    }

    private enum State: Sendable, Equatable {
        case size(value: UInt64, digits: Int, lineBytes: Int)
        case extensions(value: UInt64, lineBytes: Int)
        case sizeLF(value: UInt64)
        case data(remaining: UInt64)
        case dataCR
        case dataLF
        case trailerLineStart(bytes: Int)
        case trailerLine(bytes: Int)
        case trailerLF(bytes: Int, emptyLine: Bool)
        case done
    }

    private var state: State = .size(value: 0, digits: 0, lineBytes: 0)
    private let limits: HTTP1Limits
    private var trailerLine: [UInt8] = []
    private var extensionBytes: [UInt8] = []

    public init(limits: HTTP1Limits = HTTP1Limits()) {
        self.limits = limits
    }

    public var isComplete: Bool { self.state == .done }

    /// Decodes as much of `input` as possible, reporting data ranges through `onEvent`.
    /// Returns the number of bytes consumed; stops after the body's end.
    public mutating func decode(_ input: UnsafeRawBufferPointer, onEvent: (Event) -> Void) -> Result<Int, HTTP1ParseError> {
        var index = 0
        let count = input.count
        while index < count {
            let byte = input[index]
            switch self.state {
            case .size(let value, let digits, let lineBytes):
                guard lineBytes + 1 <= self.limits.maxChunkLineBytes else { return .failure(Self.error("the chunk-size line is too long")) }
                if let digit = HTTP1Syntax.hexValue(byte) {
                    // Leading zeros are padding; 15 significant hex digits fit in 63 bits.
                    let significant = (value == 0 && digit == 0) ? digits : digits + 1
                    guard significant <= 15 else { return .failure(Self.error("the chunk size is too large")) }
                    self.state = .size(value: value << 4 | UInt64(digit), digits: significant, lineBytes: lineBytes + 1)
                    index += 1
                    continue
                }
                guard lineBytes > 0 else { return .failure(Self.error("a chunk must start with its size in hexadecimal")) }
                if byte == UInt8(ascii: ";") {
                    self.extensionBytes.removeAll(keepingCapacity: true)
                    self.extensionBytes.append(byte)
                    self.state = .extensions(value: value, lineBytes: lineBytes + 1)
                } else if byte == UInt8(ascii: "\r") {
                    self.state = .sizeLF(value: value)
                } else {
                    return .failure(Self.error("invalid character after the chunk size"))
                }
            case .extensions(let value, let lineBytes):
                guard lineBytes + 1 <= self.limits.maxChunkLineBytes else {
                    return .failure(Self.error("chunk extensions longer than \(self.limits.maxChunkLineBytes) bytes"))
                }
                if byte == UInt8(ascii: "\r") {
                    guard Self.isValidChunkExtension(self.extensionBytes) else {
                        return .failure(Self.error("a malformed chunk extension"))
                    }
                    self.state = .sizeLF(value: value)
                } else {
                    self.extensionBytes.append(byte)
                    self.state = .extensions(value: value, lineBytes: lineBytes + 1)
                }
            case .sizeLF(let value):
                guard byte == UInt8(ascii: "\n") else { return .failure(Self.error("the chunk-size line must end in CRLF")) }
                self.state = value == 0 ? .trailerLineStart(bytes: 0) : .data(remaining: value)
            case .data(let remaining):
                let available = UInt64(count - index)
                let take = Int(min(available, remaining))
                onEvent(.data(offset: index, count: take))
                index += take
                self.state = remaining - UInt64(take) == 0 ? .dataCR : .data(remaining: remaining - UInt64(take))
                continue
            case .dataCR:
                guard byte == UInt8(ascii: "\r") else { return .failure(Self.error("chunk data is longer than its declared size")) }
                self.state = .dataLF
            case .dataLF:
                guard byte == UInt8(ascii: "\n") else { return .failure(Self.error("chunk data must be followed by CRLF")) }
                self.state = .size(value: 0, digits: 0, lineBytes: 0)
            case .trailerLineStart(let bytes):
                if byte == UInt8(ascii: "\r") {
                    self.state = .trailerLF(bytes: bytes + 1, emptyLine: true)
                } else {
                    self.trailerLine.removeAll(keepingCapacity: true)
                    self.trailerLine.append(byte)
                    self.state = .trailerLine(bytes: bytes + 1)
                }
            case .trailerLine(let bytes):
                guard bytes + 1 <= self.limits.maxTrailerBytes else { return .failure(HTTP1ParseError(.requestHeaderFieldsTooLarge, "the trailer section is too large")) }
                if byte == UInt8(ascii: "\r") {
                    self.state = .trailerLF(bytes: bytes + 1, emptyLine: false)
                } else if byte == UInt8(ascii: "\n") {
                    return .failure(Self.error("a trailer line ends in a bare LF"))
                } else {
                    self.trailerLine.append(byte)
                    self.state = .trailerLine(bytes: bytes + 1)
                }
            case .trailerLF(let bytes, let emptyLine):
                guard byte == UInt8(ascii: "\n") else { return .failure(Self.error("a trailer line must end in CRLF")) }
                if emptyLine {
                    self.state = .done
                    onEvent(.end)
                    return .success(index + 1)
                }
                if let error = self.validateTrailerLine() { return .failure(error) }
                self.state = .trailerLineStart(bytes: bytes + 1)
            case .done:
                return .success(index)
            }
            index += 1
        }
        return .success(index)
    }

    /// Trailers use header syntax (RFC 9110 §6.5); their content is ignored, never merged into
    /// the head, so a trailing `Content-Length` or `Host` cannot change anything.
    private func validateTrailerLine() -> HTTP1ParseError? {
        let line = self.trailerLine
        guard let first = line.first, first != 0x20, first != 0x09 else { return Self.error("a trailer line starts with whitespace") }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0,
              line[..<colon].allSatisfy(HTTP1Syntax.isTokenCharacter)
        else { return Self.error("a trailer line has an invalid name or no colon") }
        guard line[(colon + 1)...].allSatisfy(HTTP1Syntax.isFieldValueCharacter) else {
            return Self.error("a trailer value contains a control character")
        }
        return nil
    }

    /// `*( BWS ";" BWS ext-name [ BWS "=" BWS ( token / quoted-string ) ] )` (RFC 9112 §7.1.1).
    static func isValidChunkExtension(_ bytes: [UInt8]) -> Bool {
        var index = 0
        let count = bytes.count
        func skipWhitespace() { while index < count, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 } }
        func token() -> Bool {
            let start = index
            while index < count, HTTP1Syntax.isTokenCharacter(bytes[index]) { index += 1 }
            return index > start
        }
        while index < count {
            skipWhitespace()
            guard index < count, bytes[index] == UInt8(ascii: ";") else { return false }
            index += 1
            skipWhitespace()
            guard token() else { return false }
            skipWhitespace()
            if index < count, bytes[index] == UInt8(ascii: "=") {
                index += 1
                skipWhitespace()
                if index < count, bytes[index] == UInt8(ascii: "\"") {
                    index += 1
                    var closed = false
                    while index < count {
                        let byte = bytes[index]
                        index += 1
                        if byte == UInt8(ascii: "\\") {
                            guard index < count, HTTP1Syntax.isFieldValueCharacter(bytes[index]) else { return false }
                            index += 1
                        } else if byte == UInt8(ascii: "\"") {
                            closed = true
                            break
                        } else if !HTTP1Syntax.isFieldValueCharacter(byte) {
                            return false
                        }
                    }
                    guard closed else { return false }
                } else {
                    guard token() else { return false }
                }
                skipWhitespace()
            }
        }
        return true
    }

    private static func error(_ reason: String) -> HTTP1ParseError {
        HTTP1ParseError(.badRequest, "invalid chunked body: \(reason)")
    }
}
