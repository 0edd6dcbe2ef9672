// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import Sockets
import Synchronization

/// An HTTP/1.1 client for one server (a Unix socket or a TCP address), with a pool of
/// keep-alive connections.
///
/// ```swift
/// let client = HTTPClient(address: .unix(path: "/var/run/docker.sock"), group: group)
/// let response = try await client.execute(HTTPClientRequest(target: "/_ping"))
/// let body = try await response.collect(limit: 1 << 20)
/// ```
/// A response holds its connection until its body has been read to the end (or
/// ``HTTPClientResponse/discard()`` is called); only then does the connection return to the pool.
public final class HTTPClient: Sendable {
    public struct Configuration: Sendable {
        public var connectTimeout: Duration = .seconds(10)
        /// Time allowed to send the request and receive the response head.
        public var headTimeout: Duration? = .seconds(60)
        /// Idle connections kept for reuse.
        public var maxIdleConnections = 8
        /// Idle connections older than this are closed instead of reused.
        public var idleTimeout: Duration = .seconds(30)
        public init() {}
    }

    public let address: SocketAddress
    public let configuration: Configuration
    private let group: EventLoopGroup
    private let idle = Mutex<[HTTPClientConnection]>([])
    /// The Host header: the TCP authority, or `localhost` for Unix sockets (what Docker's own
    /// client sends).
    private let host: String

    public init(address: SocketAddress, group: EventLoopGroup, configuration: Configuration = Configuration()) {
        self.address = address
        self.group = group
        self.configuration = configuration
        switch address {
        case .unix: self.host = "localhost"
        case .ipv4(let host, let port): self.host = "\(host):\(port)"
        case .ipv6(let host, let port): self.host = "[\(host)]:\(port)"
        }
    }

    deinit {
        for connection in self.idle.withLock({ $0 }) { connection.socket.close() }
    }

    /// Sends `request` and returns once the response head has arrived.
    ///
    /// - Parameter headTimeout: overrides the configured time to send the request and receive
    ///   the head (`nil` uses the configuration; pass `.some(nil)` for none, e.g. for `wait`).
    public func execute(_ request: HTTPClientRequest, headTimeout: Duration?? = nil) async throws -> HTTPClientResponse {
        let timeout = headTimeout ?? self.configuration.headTimeout
        let deadline = timeout.map { Instant.now() + $0 }
        var attempt = 0
        while true {
            attempt += 1
            let (connection, reused) = try await self.acquire()
            do {
                try await connection.send(request, host: self.host, deadline: deadline)
                let head = try await connection.readHead(method: request.method, deadline: deadline)
                let response = HTTPClientResponse(head: head, connection: connection, client: self)
                if connection.isBodyComplete { response.finish() }
                return response
            } catch {
                connection.markNotReusable()
                connection.socket.close()
                // A pooled connection the server had already closed fails before any response
                // byte; a fresh connection is the fix, once. Streamed bodies cannot be replayed.
                if reused, attempt == 1, Self.isStaleConnectionError(error), Self.isReplayable(request) { continue }
                throw error
            }
        }
    }

    /// Sends `request` and collects the whole body, up to `limit` bytes.
    public func collect(_ request: HTTPClientRequest, limit: Int = 16 * 1024 * 1024, headTimeout: Duration?? = nil) async throws -> (head: HTTPResponseHead, body: [UInt8]) {
        let response = try await self.execute(request, headTimeout: headTimeout)
        let body = try await response.collect(limit: limit)
        return (response.head, body)
    }

    private static func isStaleConnectionError(_ error: Error) -> Bool {
        if let error = error as? HTTPClientError { return error.code == .connectionClosed }
        if let error = error as? SystemError { return error.errno == EPIPE || error.errno == ECONNRESET }
        if let error = error as? AsyncSocket.Failure { return error == .closed }
        return false
    }

    private static func isReplayable(_ request: HTTPClientRequest) -> Bool {
        if case .stream = request.body { return false }
        return true
    }

    // MARK: - Pool

    private func acquire() async throws -> (HTTPClientConnection, reused: Bool) {
        let now = Instant.now()
        let idleLimit = self.configuration.idleTimeout
        while let connection = self.idle.withLock({ $0.popLast() }) {
            if now.duration(since: connection.lastUsed) < idleLimit, !connection.socket.isClosed {
                return (connection, true)
            }
            connection.socket.close()
        }
        do {
            let socket = try await AsyncSocket.connect(to: self.address, on: self.group.next(), timeout: self.configuration.connectTimeout)
            return (HTTPClientConnection(socket: socket), false)
        } catch let error as AsyncSocket.Failure {
            throw HTTPClientError(.timedOut, "cannot connect to \(self.address)", cause: error)
        } catch {
            throw HTTPClientError(.connectFailed, "cannot connect to \(self.address)", cause: error)
        }
    }

    func release(_ connection: HTTPClientConnection) {
        guard connection.isReusable, connection.isBodyComplete else {
            connection.socket.close()
            return
        }
        connection.lastUsed = Instant.now()
        let keep = self.idle.withLock { idle -> Bool in
            guard idle.count < self.configuration.maxIdleConnections else { return false }
            idle.append(connection)
            return true
        }
        if !keep { connection.socket.close() }
    }
}

/// A response whose body is read as it arrives.
public final class HTTPClientResponse: AsyncSequence, @unchecked Sendable {
    // @unchecked: the body is read by one task at a time (reading concurrently is a misuse);
    // `state` is guarded by its Mutex for the hand-back in `finish`.
    public typealias Element = [UInt8]

    public let head: HTTPResponseHead
    private let state: Mutex<(connection: HTTPClientConnection, client: HTTPClient)?>

    init(head: HTTPResponseHead, connection: HTTPClientConnection, client: HTTPClient) {
        self.head = head
        self.state = Mutex((connection, client))
    }

    deinit {
        // Dropped before the end of its body: the connection cannot be reused.
        if let (connection, _) = self.state.withLock({ $0 }) { connection.socket.close() }
    }

    public var status: HTTPStatus { self.head.status }
    public var fields: HTTPFields { self.head.fields }

    /// The next piece of the body, or `nil` at its end.
    ///
    /// - Parameter idleTimeout: how long to wait for the next bytes (`nil`: no limit, for
    ///   streams such as a followed log that may be quiet for a long time).
    public func read(idleTimeout: Duration? = nil) async throws -> [UInt8]? {
        guard let (connection, _) = self.state.withLock({ $0 }) else { return nil }
        let piece: [UInt8]?
        do {
            piece = try await connection.readBody(deadline: idleTimeout.map { Instant.now() + $0 })
        } catch {
            self.abandon()
            throw error
        }
        if piece == nil || connection.isBodyComplete {
            self.finish()
        }
        return piece
    }

    /// Reads the whole body; more than `limit` bytes is an error.
    public func collect(limit: Int) async throws -> [UInt8] {
        var body: [UInt8] = []
        while let piece = try await self.read(idleTimeout: nil) {
            body.append(contentsOf: piece)
            if body.count > limit {
                self.abandon()
                throw HTTPClientError(.responseTooLarge, "the response body is larger than \(limit) bytes")
            }
        }
        return body
    }

    /// Gives up on the rest of the body and closes the connection.
    public func discard() {
        self.abandon()
    }

    /// Takes the raw connection (after a `101 Switching Protocols`, or for a stream that is
    /// neither length-framed nor chunked) together with the bytes already received past the head.
    public func takeConnection() -> (socket: AsyncSocket, buffered: [UInt8])? {
        guard let (connection, _) = self.state.withLock({ state in defer { state = nil }; return state }) else { return nil }
        return (connection.socket, connection.takeBufferedBytes())
    }

    func finish() {
        guard let (connection, client) = self.state.withLock({ state in defer { state = nil }; return state }) else { return }
        client.release(connection)
    }

    private func abandon() {
        guard let (connection, _) = self.state.withLock({ state in defer { state = nil }; return state }) else { return }
        connection.markNotReusable()
        connection.socket.close()
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let response: HTTPClientResponse
        public mutating func next() async throws -> [UInt8]? {
            try await self.response.read(idleTimeout: nil)
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(response: self) }
}
