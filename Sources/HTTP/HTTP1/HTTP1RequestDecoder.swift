// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

/// Turns the bytes of an HTTP/1.1 connection into requests: head, body, end — one request
/// at a time, so a pipelined request is never parsed before the previous one is answered.
///
/// A state machine over three phases (head → body → head …). It takes bytes and returns
/// values; the connection does the I/O.
public struct HTTP1RequestDecoder: Sendable {
    public enum Outcome: Sendable, Equatable {
        /// Everything available was consumed (`consumed` bytes); more input is needed.
        case needMore(consumed: Int)
        /// A request head was parsed; set ``bodyLimit`` before decoding further.
        case head(HTTPRequestHead, HTTP1BodyFraming.Decision, consumed: Int)
        /// The current request's body is complete; the decoder waits for the next head.
        case end(consumed: Int)
        /// The input is not a valid request; answer `error.status` and close.
        case failed(HTTP1ParseError)
    }

    private enum Phase: Sendable {
        case head(HTTP1HeadParser)
        case contentLength(remaining: Int)
        case chunked(HTTP1ChunkedDecoder)
        /// The head said "no body"; the next call reports the end.
        case emptyBody
    }

    public let limits: HTTP1Limits
    private var phase: Phase
    private var bodyBytes = 0

    /// The largest body the current request may have; checked against Content-Length before
    /// any body byte is read, and against the decoded size of a chunked body as it arrives.
    public var bodyLimit: Int = .max

    public init(limits: HTTP1Limits = HTTP1Limits()) {
        self.limits = limits
        self.phase = .head(HTTP1HeadParser(limits: limits))
    }

    /// Whether the decoder is between requests (nothing of a next head parsed yet).
    public var isAtRequestBoundary: Bool {
        if case .head = self.phase { return true }
        return false
    }

    /// Decodes from `input` (the unconsumed bytes of the connection), delivering body bytes to
    /// `onBody`. Returns at the first head, at the end of a body, on error, or when `input` is
    /// exhausted.
    public mutating func decode(_ input: UnsafeRawBufferPointer, onBody: (UnsafeRawBufferPointer) -> Void) -> Outcome {
        switch self.phase {
        case .head(var parser):
            let result = parser.parse(input)
            switch result {
            case .needMore:
                self.phase = .head(parser)
                return .needMore(consumed: 0)
            case .failed(let error):
                return .failed(error)
            case .complete(let head, let consumed):
                switch HTTP1BodyFraming.decide(for: head) {
                case .failure(let error):
                    return .failed(error)
                case .success(let decision):
                    self.bodyBytes = 0
                    self.bodyLimit = .max
                    switch decision.framing {
                    case .none: self.phase = .emptyBody
                    case .contentLength(let length): self.phase = .contentLength(remaining: length)
                    case .chunked: self.phase = .chunked(HTTP1ChunkedDecoder(limits: self.limits))
                    }
                    return .head(head, decision, consumed: consumed)
                }
            }
        case .emptyBody:
            self.phase = .head(HTTP1HeadParser(limits: self.limits))
            return .end(consumed: 0)
        case .contentLength(let remaining):
            if remaining > self.bodyLimit {
                return .failed(Self.tooLarge(self.bodyLimit))
            }
            let take = min(remaining, input.count)
            if take > 0 { onBody(UnsafeRawBufferPointer(rebasing: input[0..<take])) }
            if take == remaining {
                self.phase = .head(HTTP1HeadParser(limits: self.limits))
                return .end(consumed: take)
            }
            self.phase = .contentLength(remaining: remaining - take)
            return .needMore(consumed: take)
        case .chunked(var decoder):
            var overLimit = false
            let limit = self.bodyLimit
            var decoded = self.bodyBytes
            let result = decoder.decode(input) { event in
                guard case .data(let offset, let count) = event, !overLimit else { return }
                decoded += count
                if decoded > limit {
                    overLimit = true
                } else {
                    onBody(UnsafeRawBufferPointer(rebasing: input[offset..<(offset + count)]))
                }
            }
            self.bodyBytes = decoded
            if overLimit { return .failed(Self.tooLarge(limit)) }
            switch result {
            case .failure(let error):
                return .failed(error)
            case .success(let consumed):
                if decoder.isComplete {
                    self.phase = .head(HTTP1HeadParser(limits: self.limits))
                    return .end(consumed: consumed)
                }
                self.phase = .chunked(decoder)
                return .needMore(consumed: consumed)
            }
        }
    }

    private static func tooLarge(_ limit: Int) -> HTTP1ParseError {
        HTTP1ParseError(.contentTooLarge, "the request body is larger than this endpoint accepts (\(limit) bytes)")
    }
}
