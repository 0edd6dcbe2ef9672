// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

import Sockets

/// One keep-alive connection of an ``HTTPClient``: writes requests, reads response heads and
/// bodies. Used by one task at a time (the pool hands it out exclusively).
final class HTTPClientConnection: @unchecked Sendable {
    // @unchecked: owned by exactly one request at a time; the pool's Mutex hands it over.

    enum BodyFraming {
        case none
        case contentLength(remaining: Int)
        case chunked(HTTP1ChunkedDecoder)
        case untilClose
    }

    /// The plain socket or TLS session the connection runs over.
    let transport: any HTTPClientTransport
    let createdAt: Instant
    var lastUsed: Instant
    /// Bytes read from the transport and not yet consumed.
    private var buffer: [UInt8] = []
    private var bufferStart = 0
    private var framing: BodyFraming = .none
    /// Whether the connection may carry another request after this response.
    private(set) var isReusable = true
    private(set) var requestsSent = 0

    init(transport: any HTTPClientTransport) {
        self.transport = transport
        self.createdAt = Instant.now()
        self.lastUsed = self.createdAt
    }

    // MARK: - Request

    func send(_ request: HTTPClientRequest, host: String, deadline: Instant?) async throws {
        self.requestsSent += 1
        var head: [UInt8] = []
        head.reserveCapacity(256)
        head.append(contentsOf: request.method.rawValue.utf8)
        head.append(UInt8(ascii: " "))
        head.append(contentsOf: request.target.utf8)
        head.append(contentsOf: " HTTP/1.1\r\n".utf8)
        if !request.fields.contains("host") {
            head.append(contentsOf: "Host: \(host)\r\n".utf8)
        }
        for field in request.fields where !field.name.equalsASCIICaseInsensitive("content-length") && !field.name.equalsASCIICaseInsensitive("transfer-encoding") {
            guard HTTP1ResponseEncoder.isValidField(field) else {
                throw HTTPClientError(.malformedResponse, "the request header '\(field.name)' contains CR, LF or NUL")
            }
            head.append(contentsOf: "\(field.name): \(field.value)\r\n".utf8)
        }
        switch request.body {
        case .none:
            if request.method == .post || request.method == .put || request.method == .patch {
                head.append(contentsOf: "Content-Length: 0\r\n\r\n".utf8)
            } else {
                head.append(contentsOf: "\r\n".utf8)
            }
            try await self.transport.write(head, deadline: deadline)
        case .bytes(let bytes):
            head.append(contentsOf: "Content-Length: \(bytes.count)\r\n\r\n".utf8)
            if bytes.count <= 64 * 1024 {
                try await self.transport.write(head + bytes, deadline: deadline)
            } else {
                try await self.transport.write(head, deadline: deadline)
                try await self.transport.write(bytes, deadline: deadline)
            }
        case .stream(let length, let producer):
            let chunked = length == nil
            head.append(contentsOf: (chunked ? "Transfer-Encoding: chunked\r\n\r\n" : "Content-Length: \(length!)\r\n\r\n").utf8)
            try await self.transport.write(head, deadline: deadline)
            let transport = self.transport
            let sent = SentCounter()
            try await producer(HTTPClientBodyWriter { bytes in
                if chunked {
                    var frame: [UInt8] = []
                    HTTP1ResponseEncoder.appendChunkHeader(length: bytes.count, to: &frame)
                    frame.append(contentsOf: bytes)
                    frame.append(contentsOf: HTTP1ResponseEncoder.crlf)
                    try await transport.write(frame, deadline: nil)
                } else {
                    sent.add(bytes.count)
                    try await transport.write(bytes, deadline: nil)
                }
            })
            if chunked {
                try await self.transport.write(HTTP1ResponseEncoder.lastChunk, deadline: deadline)
            } else if sent.total != length {
                self.isReusable = false
                throw HTTPClientError(.io, "the request body producer wrote \(sent.total) bytes, not the declared \(length!)")
            }
        }
    }

    // MARK: - Response

    /// Reads the response head, skipping 1xx interim responses (except 101).
    func readHead(method: HTTPMethod, deadline: Instant?) async throws -> HTTPResponseHead {
        while true {
            let result = self.buffer.withUnsafeBytes { raw in
                HTTP1ResponseHeadParser.parse(UnsafeRawBufferPointer(rebasing: raw[self.bufferStart...]))
            }
            switch result {
            case .failed(let reason):
                self.isReusable = false
                throw HTTPClientError(.malformedResponse, reason)
            case .needMore:
                let received = try await self.fill(deadline: deadline)
                if received == 0 {
                    self.isReusable = false
                    throw HTTPClientError(.connectionClosed, "the server closed the connection before sending a response")
                }
            case .complete(let head, let consumed):
                self.bufferStart += consumed
                if (100..<200).contains(head.status.code), head.status.code != 101 { continue }
                try self.decideFraming(head, method: method)
                return head
            }
        }
    }

    private func decideFraming(_ head: HTTPResponseHead, method: HTTPMethod) throws {
        let tokens = head.fields.tokens("connection")
        if tokens.contains("close") || (head.version == .http1_0 && !tokens.contains("keep-alive")) {
            self.isReusable = false
        }
        if method == .head || head.status.forbidsBody {
            self.framing = .none
            if head.status.code == 101 { self.isReusable = false }
            return
        }
        let transferEncodings = head.fields.tokens("transfer-encoding")
        if !transferEncodings.isEmpty {
            guard transferEncodings.last == "chunked" else {
                self.isReusable = false
                self.framing = .untilClose
                return
            }
            self.framing = .chunked(HTTP1ChunkedDecoder(limits: Self.chunkLimits))
            return
        }
        let lengths = head.fields.values("content-length")
        if let first = lengths.first {
            guard lengths.allSatisfy({ $0 == first }), let length = HTTP1BodyFraming.parseContentLength(first) else {
                self.isReusable = false
                throw HTTPClientError(.malformedResponse, "the response has an invalid Content-Length")
            }
            self.framing = length == 0 ? .none : .contentLength(remaining: length)
            return
        }
        self.isReusable = false
        self.framing = .untilClose
    }

    private static let chunkLimits: HTTP1Limits = {
        var limits = HTTP1Limits()
        limits.maxChunkLineBytes = 4096
        limits.maxTrailerBytes = 64 * 1024
        return limits
    }()

    /// The next piece of the body, or `nil` at its end.
    func readBody(deadline: Instant?) async throws -> [UInt8]? {
        while true {
            switch self.framing {
            case .none:
                return nil
            case .contentLength(let remaining):
                if self.bufferStart < self.buffer.count {
                    let take = min(remaining, self.buffer.count - self.bufferStart)
                    let piece = Array(self.buffer[self.bufferStart..<(self.bufferStart + take)])
                    self.bufferStart += take
                    self.compact()
                    self.framing = remaining - take == 0 ? .none : .contentLength(remaining: remaining - take)
                    return piece
                }
                if try await self.fill(deadline: deadline) == 0 {
                    self.isReusable = false
                    throw HTTPClientError(.connectionClosed, "the server closed the connection \(remaining) bytes before the end of the response body")
                }
            case .chunked(var decoder):
                if self.bufferStart < self.buffer.count {
                    var piece: [UInt8] = []
                    let result = self.buffer.withUnsafeBytes { raw in
                        let input = UnsafeRawBufferPointer(rebasing: raw[self.bufferStart...])
                        return decoder.decode(input) { event in
                            if case .data(let offset, let count) = event {
                                piece.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[offset..<(offset + count)]))
                            }
                        }
                    }
                    switch result {
                    case .failure(let error):
                        self.isReusable = false
                        throw HTTPClientError(.malformedResponse, "invalid chunked response body: \(error.reason)")
                    case .success(let consumed):
                        self.bufferStart += consumed
                        self.compact()
                    }
                    self.framing = decoder.isComplete ? .none : .chunked(decoder)
                    if !piece.isEmpty { return piece }
                    if decoder.isComplete { return nil }
                    continue
                }
                if try await self.fill(deadline: deadline) == 0 {
                    self.isReusable = false
                    throw HTTPClientError(.connectionClosed, "the server closed the connection in the middle of a chunked response body")
                }
            case .untilClose:
                if self.bufferStart < self.buffer.count {
                    let piece = Array(self.buffer[self.bufferStart...])
                    self.buffer.removeAll(keepingCapacity: true)
                    self.bufferStart = 0
                    return piece
                }
                if try await self.fill(deadline: deadline) == 0 {
                    self.framing = .none
                    return nil
                }
            }
        }
    }

    /// Whether the current response body has been read to its end.
    var isBodyComplete: Bool {
        if case .none = self.framing { return true }
        return false
    }

    /// Hands over the bytes already read past the head (for upgraded or raw streams).
    func takeBufferedBytes() -> [UInt8] {
        let bytes = Array(self.buffer[self.bufferStart...])
        self.buffer.removeAll()
        self.bufferStart = 0
        self.isReusable = false
        return bytes
    }

    private func fill(deadline: Instant?) async throws -> Int {
        let bytes: [UInt8]
        do {
            bytes = try await self.transport.read(maximum: 64 * 1024, deadline: deadline)
        } catch let failure as AsyncSocket.Failure {
            self.isReusable = false
            switch failure {
            case .timedOut(let operation): throw HTTPClientError(.timedOut, "timed out waiting to \(operation) the response")
            case .closed: throw HTTPClientError(.connectionClosed, "the connection was closed")
            }
        } catch is CancellationError {
            self.isReusable = false
            throw HTTPClientError(.cancelled, "the request was cancelled")
        } catch {
            self.isReusable = false
            throw HTTPClientError(.io, "reading the response failed", cause: error)
        }
        self.compact()
        self.buffer.append(contentsOf: bytes)
        return bytes.count
    }

    private func compact() {
        if self.bufferStart == self.buffer.count {
            self.buffer.removeAll(keepingCapacity: self.buffer.capacity <= 128 * 1024)
            self.bufferStart = 0
        } else if self.bufferStart > 64 * 1024 {
            self.buffer.removeFirst(self.bufferStart)
            self.bufferStart = 0
        }
    }

    func markNotReusable() { self.isReusable = false }
}

/// Counts bytes written by a request body producer.
private final class SentCounter: @unchecked Sendable {
    // @unchecked: the producer writes sequentially; reads happen after it returned.
    private(set) var total = 0
    func add(_ count: Int) { self.total += count }
}
