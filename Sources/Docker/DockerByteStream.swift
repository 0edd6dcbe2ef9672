// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

import HTTP
import Sockets

/// The raw bytes of a streamed response (an image tar, an archive, a hijacked exec or attach
/// stream), read as they arrive.
///
/// Read by one task at a time. Every read waits at most ``idleTimeout`` for the next bytes; a
/// connection that breaks before the body's end is a ``DockerError/Code/streamFailed`` error,
/// never a silent end. Dropping the stream (or ``cancel()``) closes its connection, which
/// also cancels the operation on the engine's side (pull, build, export).
public final class DockerByteStream: AsyncSequence, @unchecked Sendable {
    // @unchecked: single reader by contract (like HTTPClientResponse); `cancel` only closes
    // the connection, which the socket layer makes safe from any thread.
    public typealias Element = [UInt8]

    private enum Source {
        case response(HTTPClientResponse)
        /// A hijacked connection: the daemon ends the stream by closing it.
        case socket(AsyncSocket)
    }

    private let source: Source
    private var pending: [UInt8]
    private var isFinished = false
    /// How long a read waits for the next bytes; `nil` waits for ever (a followed log of a
    /// quiet job).
    public let idleTimeout: Duration?
    let operation: String
    let host: String

    init(response: HTTPClientResponse, idleTimeout: Duration?, operation: String, host: String) {
        self.source = .response(response)
        self.pending = []
        self.idleTimeout = idleTimeout
        self.operation = operation
        self.host = host
    }

    init(socket: AsyncSocket, buffered: [UInt8], idleTimeout: Duration?, operation: String, host: String) {
        self.source = .socket(socket)
        self.pending = buffered
        self.idleTimeout = idleTimeout
        self.operation = operation
        self.host = host
    }

    deinit {
        if case .socket(let socket) = self.source, !socket.isClosed { socket.close() }
    }

    /// The next bytes, or `nil` at the end of the stream. Throws ``DockerError``.
    public func next() async throws -> [UInt8]? {
        if !self.pending.isEmpty {
            defer { self.pending = [] }
            return self.pending
        }
        if self.isFinished { return nil }
        do {
            switch self.source {
            case .response(let response):
                guard let piece = try await response.read(idleTimeout: self.idleTimeout) else {
                    self.isFinished = true
                    return nil
                }
                return piece
            case .socket(let socket):
                let piece = try await socket.read(maximum: 64 * 1024, deadline: self.idleTimeout.map { Instant.now() + $0 })
                if piece.isEmpty {
                    self.isFinished = true
                    socket.close()
                    return nil
                }
                return piece
            }
        } catch {
            self.isFinished = true
            self.cancel()
            throw DockerError.transport(error, operation: self.operation, host: self.host, phase: .body)
        }
    }

    /// Reads the rest of the stream; more than `limit` bytes is an error.
    public func collect(limit: Int) async throws(DockerError) -> [UInt8] {
        var bytes: [UInt8] = []
        do {
            while let piece = try await self.next() {
                bytes.append(contentsOf: piece)
                if bytes.count > limit {
                    self.cancel()
                    throw DockerError(.invalidResponse, "the response is larger than \(limit) bytes", operation: self.operation)
                }
            }
        } catch let error as DockerError {
            throw error
        } catch {
            throw DockerError.transport(error, operation: self.operation, host: self.host, phase: .body)
        }
        return bytes
    }

    /// Stops reading and closes the connection.
    public func cancel() {
        switch self.source {
        case .response(let response): response.discard()
        case .socket(let socket): socket.close()
        }
    }

    /// The hijacked socket, for writing a container's or exec's standard input.
    var socket: AsyncSocket? {
        if case .socket(let socket) = self.source { return socket }
        return nil
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let stream: DockerByteStream
        public mutating func next() async throws -> [UInt8]? { try await self.stream.next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(stream: self) }
}
