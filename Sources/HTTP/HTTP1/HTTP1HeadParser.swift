// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

/// An incremental parser for an HTTP/1.1 request head (request line and header fields).
///
/// Feed it the bytes received so far, from the start of the request, as often as more arrive;
/// it remembers how far it has scanned, so a head trickled in byte by byte costs linear time.
/// It parses octets, never decoded text (RFC 9112 §2.2), and rejects everything a lenient
/// parser would have to guess about: bare CR or LF, obs-fold, whitespace before a colon,
/// control characters, an unknown version.
public struct HTTP1HeadParser: Sendable {
    public enum Result: Sendable, Equatable {
        /// The head is not complete yet.
        case needMore
        /// The head is complete and occupies the first `consumed` bytes.
        case complete(HTTPRequestHead, consumed: Int)
        case failed(HTTP1ParseError)
    }

    public let limits: HTTP1Limits
    private var scanned = 0
    private var lineStart = 0
    private var requestLineStart: Int?
    private var requestLineEnd: Int?
    private var fieldCount = 0
    private var leadingEmptyLines = 0

    /// RFC 9112 §2.2: "SHOULD ignore at least one empty line (CRLF) received prior to the
    /// request-line". A few are tolerated; a stream of them is not a request.
    static let maxLeadingEmptyLines = 4
    /// Longest method token accepted before the parser decides the method is not one we know.
    static let maxMethodBytes = 32

    public init(limits: HTTP1Limits = HTTP1Limits()) {
        self.limits = limits
    }

    /// Forgets the previous request so the parser can start on the next one.
    public mutating func reset() {
        self = HTTP1HeadParser(limits: self.limits)
    }

    /// Scans `bytes` (all bytes of the request received so far) for the end of the head.
    ///
    /// The outcome depends only on the bytes, never on how they were split into calls: every
    /// limit is checked by ``checkUnterminatedLine(_:end:)`` both when a call ends inside a line
    /// and, with the same arguments, just before each LF, so one-piece parsing fails exactly
    /// where byte-by-byte parsing would have.
    public mutating func parse(_ bytes: UnsafeRawBufferPointer) -> Result {
        let count = bytes.count
        var index = self.scanned
        while index < count {
            let byte = bytes[index]
            if byte != UInt8(ascii: "\n") {
                index += 1
                continue
            }
            // The line as it stood before its LF arrived: over a limit there is over it whatever
            // ends the line (a bare LF included), as it would have been at the end of a read.
            if let error = self.checkUnterminatedLine(bytes, end: index) {
                return .failed(error)
            }
            // A line ends at `index`; it must be CRLF-terminated.
            guard index > self.lineStart, bytes[index - 1] == UInt8(ascii: "\r") else {
                return .failed(HTTP1ParseError(.badRequest, "a line ends in a bare LF; HTTP/1.1 lines end in CRLF"))
            }
            let contentEnd = index - 1
            let lineLength = contentEnd - self.lineStart
            let nextLineStart = index + 1
            if self.requestLineStart == nil {
                if lineLength == 0 {
                    self.leadingEmptyLines += 1
                    if self.leadingEmptyLines > Self.maxLeadingEmptyLines {
                        return .failed(HTTP1ParseError(.badRequest, "too many empty lines before the request line"))
                    }
                } else {
                    self.requestLineStart = self.lineStart
                    self.requestLineEnd = contentEnd
                }
            } else if lineLength == 0 {
                // The empty line ends the head.
                let headStart = self.requestLineStart!
                if nextLineStart - headStart > self.limits.maxHeadBytes {
                    return .failed(Self.headTooLarge(self.limits))
                }
                self.scanned = nextLineStart
                switch self.parseHead(bytes, headEnd: self.lineStart) {
                case .success(let head): return .complete(head, consumed: nextLineStart)
                case .failure(let error): return .failed(error)
                }
            } else {
                self.fieldCount += 1
                if self.fieldCount > self.limits.maxFieldCount {
                    return .failed(HTTP1ParseError(.requestHeaderFieldsTooLarge, "more than \(self.limits.maxFieldCount) header lines"))
                }
            }
            if let start = self.requestLineStart, nextLineStart - start > self.limits.maxHeadBytes {
                return .failed(Self.headTooLarge(self.limits))
            }
            self.lineStart = nextLineStart
            index = nextLineStart
        }
        self.scanned = count
        // No line end yet: fail early if the partial line is already over its limit, instead of
        // buffering an endless line.
        if let error = self.checkUnterminatedLine(bytes, end: count) {
            return .failed(error)
        }
        return .needMore
    }

    /// The limits a line can cross before it ends, for the current line up to `end` (no LF in
    /// it). Each check depends only on bytes before `end` and, once failed, fails for every
    /// longer prefix, so checking at the end of each read and before each LF gives the answer
    /// byte-by-byte parsing would.
    @inline(__always)
    private func checkUnterminatedLine(_ bytes: UnsafeRawBufferPointer, end: Int) -> HTTP1ParseError? {
        let received = end - self.lineStart
        // A CR at the end may begin the line's CRLF: it counts once a byte other than LF follows.
        let length = received > 0 && bytes[end - 1] == UInt8(ascii: "\r") ? received - 1 : received
        if let start = self.requestLineStart {
            if length > self.limits.maxFieldLineBytes {
                return HTTP1ParseError(.requestHeaderFieldsTooLarge, "a header line is longer than \(self.limits.maxFieldLineBytes) bytes")
            }
            if end - start > self.limits.maxHeadBytes {
                return Self.headTooLarge(self.limits)
            }
            return nil
        }
        // No method we implement is longer than maxMethodBytes: a request line whose first
        // maxMethodBytes + 1 bytes hold no space fails now, not after up to a whole line limit
        // of buffering (a TLS handshake on the plain port gets its 400 at once). Complete lines
        // get the same check, so the answer does not depend on whether the line has ended.
        if length > self.limits.maxRequestLineBytes
            || (length > Self.maxMethodBytes && !Self.containsSpace(bytes, from: self.lineStart, to: self.lineStart + Self.maxMethodBytes + 1)) {
            return self.requestLineTooLong(bytes, start: self.lineStart)
        }
        return nil
    }

    private static func headTooLarge(_ limits: HTTP1Limits) -> HTTP1ParseError {
        HTTP1ParseError(.requestHeaderFieldsTooLarge, "the request head is larger than \(limits.maxHeadBytes) bytes")
    }

    /// A request line over the limit: 414 when the target is what is long, 501 or 400 when the
    /// method is (RFC 9112 §3). Decided on the line's first bytes only, which are received by
    /// the time either check above fails, so the status is the same wherever the reads ended.
    private func requestLineTooLong(_ bytes: UnsafeRawBufferPointer, start: Int) -> HTTP1ParseError {
        let methodWindow = start + min(Self.maxMethodBytes, self.limits.maxRequestLineBytes) + 1
        if Self.containsSpace(bytes, from: start, to: methodWindow) {
            return HTTP1ParseError(.uriTooLong, "the request target is longer than \(self.limits.maxRequestLineBytes) bytes")
        }
        let allTokenCharacters = (start..<methodWindow).allSatisfy { HTTP1Syntax.isTokenCharacter(bytes[$0]) }
        return allTokenCharacters
            ? HTTP1ParseError(.notImplemented, "the request method is longer than any method this server implements")
            : HTTP1ParseError(.badRequest, "the request line is malformed")
    }

    private static func containsSpace(_ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int) -> Bool {
        var index = start
        while index < end {
            if bytes[index] == UInt8(ascii: " ") { return true }
            index += 1
        }
        return false
    }

    // MARK: - Second pass: the complete head

    private func parseHead(_ bytes: UnsafeRawBufferPointer, headEnd: Int) -> Swift.Result<HTTPRequestHead, HTTP1ParseError> {
        let lineStart = self.requestLineStart!
        let lineEnd = self.requestLineEnd!
        let requestLine: (method: HTTPMethod, target: String, version: HTTPVersion)
        switch Self.parseRequestLine(bytes, from: lineStart, to: lineEnd) {
        case .success(let parsed): requestLine = parsed
        case .failure(let error): return .failure(error)
        }
        var fields = HTTPFields()
        // One allocation for the field list, not one per doubling.
        fields.reserveCapacity(self.fieldCount)
        var index = lineEnd + 2
        while index < headEnd {
            var end = index
            while bytes[end] != UInt8(ascii: "\r") || bytes[end + 1] != UInt8(ascii: "\n") { end += 1 }
            switch Self.parseField(bytes, from: index, to: end) {
            case .success(let field): fields.append(name: field.name, value: field.value)
            case .failure(let error): return .failure(error)
            }
            index = end + 2
        }
        return .success(HTTPRequestHead(method: requestLine.method, target: requestLine.target, version: requestLine.version, fields: fields))
    }

    static func parseRequestLine(_ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int) -> Swift.Result<(method: HTTPMethod, target: String, version: HTTPVersion), HTTP1ParseError> {
        // method SP request-target SP HTTP-version, single spaces (RFC 9112 §3).
        var index = start
        while index < end, HTTP1Syntax.isTokenCharacter(bytes[index]) { index += 1 }
        guard index > start, index < end, bytes[index] == UInt8(ascii: " ") else {
            return .failure(HTTP1ParseError(.badRequest, "the request line must be 'METHOD SP TARGET SP HTTP/1.1'"))
        }
        let method = HTTPMethod(rawValue: String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
        index += 1
        let targetStart = index
        while index < end, HTTP1Syntax.isTargetCharacter(bytes[index]) { index += 1 }
        guard index > targetStart, index < end, bytes[index] == UInt8(ascii: " ") else {
            if index < end, bytes[index] != UInt8(ascii: " ") {
                return .failure(HTTP1ParseError(.badRequest, "the request target contains a character that must be percent-encoded"))
            }
            return .failure(HTTP1ParseError(.badRequest, "the request line must be 'METHOD SP TARGET SP HTTP/1.1'"))
        }
        let target = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[targetStart..<index]), as: UTF8.self)
        index += 1
        let versionBytes = UnsafeRawBufferPointer(rebasing: bytes[index..<end])
        let version: HTTPVersion
        switch Self.parseVersion(versionBytes) {
        case .success(let parsed): version = parsed
        case .failure(let error): return .failure(error)
        }
        guard Self.isValidTargetForm(target, method: method) else {
            return .failure(HTTP1ParseError(.badRequest, "the request target '\(target.prefix(64))' is not valid for \(method)"))
        }
        return .success((method, target, version))
    }

    private static func parseVersion(_ bytes: UnsafeRawBufferPointer) -> Swift.Result<HTTPVersion, HTTP1ParseError> {
        // "HTTP/" DIGIT "." DIGIT, case-sensitive (RFC 9112 §2.3).
        guard bytes.count == 8, bytes[0] == UInt8(ascii: "H"), bytes[1] == UInt8(ascii: "T"), bytes[2] == UInt8(ascii: "T"),
              bytes[3] == UInt8(ascii: "P"), bytes[4] == UInt8(ascii: "/"), bytes[6] == UInt8(ascii: "."),
              HTTP1Syntax.isDigit(bytes[5]), HTTP1Syntax.isDigit(bytes[7])
        else {
            return .failure(HTTP1ParseError(.badRequest, "the protocol version must be HTTP/1.1 or HTTP/1.0"))
        }
        switch (bytes[5], bytes[7]) {
        case (UInt8(ascii: "1"), UInt8(ascii: "1")): return .success(.http1_1)
        case (UInt8(ascii: "1"), UInt8(ascii: "0")): return .success(.http1_0)
        // A later 1.x minor version is served as 1.1 (RFC 9110 §2.5: minor versions are compatible).
        case (UInt8(ascii: "1"), _): return .success(.http1_1)
        default: return .failure(HTTP1ParseError(.httpVersionNotSupported, "only HTTP/1.0, HTTP/1.1 and h2c are supported"))
        }
    }

    private static func isValidTargetForm(_ target: String, method: HTTPMethod) -> Bool {
        if target.hasPrefix("/") { return true }
        if target == "*" { return method == .options }
        if method == .connect { return true }  // authority-form; CONNECT itself gets 501 later
        // absolute-form: scheme "://" ...
        let lower = target.prefix(8).lowercasedASCII()
        return lower.hasPrefix("http://") || lower.hasPrefix("https://")
    }

    static func parseField(_ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int) -> Swift.Result<(name: String, value: String), HTTP1ParseError> {
        let first = bytes[start]
        if first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
            // obs-fold or whitespace before the first field: RFC 9112 §5.2 lets us reject.
            return .failure(HTTP1ParseError(.badRequest, "a header line starts with whitespace (obsolete line folding is not accepted)"))
        }
        var index = start
        while index < end, HTTP1Syntax.isTokenCharacter(bytes[index]) { index += 1 }
        guard index < end, bytes[index] == UInt8(ascii: ":") else {
            if index < end, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t") {
                return .failure(HTTP1ParseError(.badRequest, "whitespace between a header name and its colon"))
            }
            return .failure(HTTP1ParseError(.badRequest, "a header line has an invalid name or no colon"))
        }
        guard index > start else {
            return .failure(HTTP1ParseError(.badRequest, "a header line has an empty name"))
        }
        let name = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        var valueStart = index + 1
        var valueEnd = end
        while valueStart < valueEnd, bytes[valueStart] == UInt8(ascii: " ") || bytes[valueStart] == UInt8(ascii: "\t") { valueStart += 1 }
        while valueEnd > valueStart, bytes[valueEnd - 1] == UInt8(ascii: " ") || bytes[valueEnd - 1] == UInt8(ascii: "\t") { valueEnd -= 1 }
        var scan = valueStart
        while scan < valueEnd {
            guard HTTP1Syntax.isFieldValueCharacter(bytes[scan]) else {
                return .failure(HTTP1ParseError(.badRequest, "the value of header '\(name.prefix(64))' contains a control character"))
            }
            scan += 1
        }
        let value = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[valueStart..<valueEnd]), as: UTF8.self)
        return .success((name, value))
    }
}

/// Character classes of RFC 9110 §5.6 and RFC 3986, as lookup tables.
enum HTTP1Syntax {
    /// tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
    @inline(__always)
    static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
             UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
             UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Visible ASCII; a target carries no spaces, controls or raw non-ASCII bytes (those must be
    /// percent-encoded).
    @inline(__always)
    static func isTargetCharacter(_ byte: UInt8) -> Bool { byte > 0x20 && byte < 0x7F }

    /// field-vchar / SP / HTAB, where field-vchar includes obs-text (0x80–0xFF).
    @inline(__always)
    static func isFieldValueCharacter(_ byte: UInt8) -> Bool {
        byte == 0x09 || (byte >= 0x20 && byte != 0x7F)
    }
}
