// slipway — TLS
// SPDX-License-Identifier: Apache-2.0

import Sockets
import Synchronization

/// A TLS session over an ``AsyncSocket``, with the socket's async reads and writes: plaintext
/// in, plaintext out.
///
/// OpenSSL runs on memory BIOs (``TLSEngine``): it only encrypts and decrypts, and the socket
/// moves the ciphertext with its own deadlines and cancellation, suspending on the event loop
/// when the kernel says "would block". So no OpenSSL call ever waits for the network, nothing
/// blocks a thread of the cooperative pool, and no second readiness mechanism (`SSL_set_fd`
/// with `SSL_ERROR_WANT_READ`/`WANT_WRITE` mapped onto the loop) is needed.
///
/// ```swift
/// let context = try TLSContext(client: TLSConfiguration())
/// let socket = try await AsyncSocket.connect(to: address, on: group.next())
/// let tls = try await TLSConnection.connect(over: socket, context: context, serverName: "gitlab.example.com")
/// try await tls.write(Array("GET / HTTP/1.1\r\nHost: gitlab.example.com\r\n\r\n".utf8))
/// let answer = try await tls.read()
/// ```
///
/// As with ``AsyncSocket``, one reader and one writer may use the connection at the same
/// time. Only writes send bytes: a record a read produces (a TLS 1.3 KeyUpdate answer) leaves
/// with the next write, which keeps the records in order without a second writer on the socket.
public final class TLSConnection: Sendable {
    private struct State: ~Copyable {
        var engine: TLSEngine
    }

    /// The socket carrying the session.
    public let socket: AsyncSocket
    /// The name the peer's certificate was verified for (and sent as SNI if it is a name).
    public let serverName: String
    /// The protocol the server selected through ALPN, for example `http/1.1`; `nil` if it
    /// selected none.
    public let negotiatedProtocol: String?
    /// The TLS version of the session.
    public let negotiatedVersion: TLSVersion?
    private let state: Mutex<State>

    private init(socket: AsyncSocket, serverName: String, engine: consuming TLSEngine) {
        self.socket = socket
        self.serverName = serverName
        self.negotiatedProtocol = engine.negotiatedProtocol
        self.negotiatedVersion = engine.negotiatedVersion
        self.state = Mutex(State(engine: engine))
    }

    /// Runs a client handshake over `socket`, which the connection owns from then on (a failed
    /// handshake closes it).
    ///
    /// The server's certificate must chain up to the context's trust roots and be valid for
    /// `serverName`; otherwise the handshake fails and nothing is sent.
    ///
    /// - Parameters:
    ///   - serverName: the DNS name (or IP address) the server is expected to prove.
    ///   - timeout: the time allowed for the whole handshake; `nil` uses the context's
    ///     ``TLSConfiguration/handshakeTimeout``.
    /// - Throws: ``TLSError``: ``TLSError/Code/certificateRejected`` with the verification
    ///   result, ``TLSError/Code/handshakeFailed``, ``TLSError/Code/timedOut``,
    ///   ``TLSError/Code/connectionClosed``, ``TLSError/Code/io`` or ``TLSError/Code/cancelled``.
    public static func connect(over socket: AsyncSocket, context: TLSContext, serverName: String, timeout: Duration? = nil) async throws(TLSError) -> TLSConnection {
        let limit = timeout ?? context.configuration.handshakeTimeout
        let deadline = Instant.now() + limit
        do {
            var engine = try TLSEngine(client: context, serverName: serverName)
            try await Self.handshake(&engine, over: socket, deadline: deadline, serverName: serverName, limit: limit)
            return TLSConnection(socket: socket, serverName: serverName, engine: engine)
        } catch {
            socket.close()
            throw error
        }
    }

    /// Pumps the handshake: OpenSSL's output goes to the socket, the socket's input to OpenSSL,
    /// until the session is established or fails.
    private static func handshake(_ engine: inout TLSEngine, over socket: AsyncSocket, deadline: Instant, serverName: String, limit: Duration) async throws(TLSError) {
        while true {
            let step = engine.handshake()
            // Send first: even a failed handshake may have produced an alert for the peer.
            let output = engine.takeOutput()
            do {
                if !output.isEmpty { try await socket.write(output, deadline: deadline) }
                switch step {
                case .done:
                    return
                case .failed(let error):
                    throw error
                case .closed:
                    throw TLSError(.connectionClosed, "\(serverName) closed the TLS session during the handshake")
                case .needsInput:
                    let input = try await socket.read(maximum: 64 * 1024, deadline: deadline)
                    if input.isEmpty {
                        throw TLSError(.connectionClosed, "\(serverName) closed the connection during the TLS handshake; is it serving TLS on this port, with a TLS version and cipher this client accepts?")
                    }
                    engine.receive(input)
                }
            } catch let error as TLSError {
                throw error
            } catch AsyncSocket.Failure.timedOut {
                throw TLSError(.timedOut, "no TLS handshake with \(serverName) within \(limit): the server accepted the connection but did not complete the handshake; is it serving TLS on this port?")
            } catch is CancellationError {
                throw TLSError(.cancelled, "the TLS handshake with \(serverName) was cancelled")
            } catch {
                throw TLSError(.io, "the connection to \(serverName) failed during the TLS handshake", cause: error)
            }
        }
    }

    // MARK: - Application data

    /// Reads at most `maximum` bytes of plaintext; an empty result means the peer ended the
    /// session (a close_notify alert, or the connection closed).
    ///
    /// - Throws: ``TLSError`` (``TLSError/Code/protocolError``) for an invalid record or a
    ///   fatal alert; the socket's own errors (``AsyncSocket/Failure``, ``SystemError``,
    ///   `CancellationError`) pass through unchanged, as they would from a plain socket.
    public func read(maximum: Int = 64 * 1024, deadline: Instant? = nil) async throws -> [UInt8] {
        precondition(maximum > 0, "a read needs room for at least one byte")
        var buffer = [UInt8](repeating: 0, count: maximum)
        while true {
            let step = buffer.withUnsafeMutableBytes { raw in
                self.state.withLock { state in state.engine.read(into: raw) }
            }
            switch step {
            case .done(let count):
                buffer.removeLast(maximum - count)
                return buffer
            case .closed:
                return []
            case .failed(let error):
                throw error
            case .needsInput:
                let input = try await self.socket.read(maximum: 64 * 1024, deadline: deadline)
                // A connection closed without close_notify ends the stream like one with it
                // (OpenSSL's SSL_OP_IGNORE_UNEXPECTED_EOF): HTTP's own framing detects a
                // truncated body, and many servers never send the alert.
                if input.isEmpty { return [] }
                self.state.withLock { state in state.engine.receive(input) }
            }
        }
    }

    /// Encrypts and writes every byte of `bytes`.
    ///
    /// - Throws: ``TLSError`` if OpenSSL refuses to encrypt (a session that already failed);
    ///   the socket's own errors pass through unchanged.
    public func write(_ bytes: [UInt8], deadline: Instant? = nil) async throws {
        var offset = 0
        repeat {
            // Encrypt in slices so a large body never doubles in memory as ciphertext.
            let end = min(bytes.count, offset + Self.writeSlice)
            let (step, output) = bytes.withUnsafeBytes { raw in
                self.state.withLock { state in
                    (state.engine.write(UnsafeRawBufferPointer(rebasing: raw[offset..<end])), state.engine.takeOutput())
                }
            }
            if case .failed(let error) = step { throw error }
            if !output.isEmpty { try await self.socket.write(output, deadline: deadline) }
            offset = end
        } while offset < bytes.count
    }

    private static let writeSlice = 64 * 1024

    /// Closes the socket; waiting reads and writes fail with ``AsyncSocket/Failure/closed``.
    ///
    /// No close_notify is sent: HTTP/1.1 frames its messages itself, and closing must not
    /// wait for a peer that may have stopped reading.
    public func close() {
        self.socket.close()
    }

    /// Whether ``close()`` was called (or the socket was closed under the session).
    public var isClosed: Bool { self.socket.isClosed }
}
