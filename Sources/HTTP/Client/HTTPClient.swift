// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import Sockets
import Synchronization
import TLS

/// An HTTP/1.1 client for one server (a Unix socket, or a TCP address in plain HTTP or over
/// TLS), with a pool of keep-alive connections.
///
/// ```swift
/// let client = HTTPClient(address: .unix(path: "/var/run/docker.sock"), group: group)
/// let response = try await client.execute(HTTPClientRequest(target: "/_ping"))
/// let body = try await response.collect(limit: 1 << 20)
/// ```
///
/// For HTTPS, give the origin and, if the server uses a private CA, its certificate:
/// ```swift
/// var tls = TLSConfiguration()
/// tls.trustRoots = .file("/etc/slipway/gitlab-ca.pem")
/// let gitlab = try HTTPClient(url: "https://127.0.0.1:8443", tls: tls, group: group)
/// ```
/// Every new connection then runs a TLS handshake that verifies the server's certificate for
/// the URL's host; a refused certificate is an ``HTTPClientError`` with code
/// ``HTTPClientError/Code/tls`` whose cause names the reason.
///
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

    /// How the client's connections are secured.
    private enum Security: Sendable {
        case plain
        /// TLS with `context`, verifying the server's certificate for `serverName`.
        case tls(TLSContext, serverName: String)
    }

    /// Where the client connects.
    private enum Destination: Sendable {
        case address(SocketAddress)
        /// A host name, resolved by ``HostResolver`` for each new connection (so a changed DNS
        /// record takes effect without a restart), each address tried in turn.
        case name(String, port: UInt16)
    }

    /// The server's address; `nil` when the client was made for a host name, which is
    /// resolved for each new connection.
    public var address: SocketAddress? {
        if case .address(let address) = self.destination { return address }
        return nil
    }
    public let configuration: Configuration
    private let destination: Destination
    private let security: Security
    private let group: EventLoopGroup
    private let idle = Mutex<[HTTPClientConnection]>([])
    /// The Host header: the TCP authority, or `localhost` for Unix sockets (what Docker's own
    /// client sends).
    private let host: String

    /// A plain HTTP client for `address` (a Unix socket or a TCP address).
    public convenience init(address: SocketAddress, group: EventLoopGroup, configuration: Configuration = Configuration()) {
        let host = switch address {
        case .unix: "localhost"
        case .ipv4(let host, let port): "\(host):\(port)"
        case .ipv6(let host, let port): "[\(host)]:\(port)"
        }
        self.init(destination: .address(address), security: .plain, host: host, group: group, configuration: configuration)
    }

    /// An HTTPS client for the server at `address`, which must prove it is `serverName`.
    ///
    /// - Parameters:
    ///   - tls: the context every connection's handshake uses (build it once, share it).
    ///   - serverName: the DNS name or IP address the certificate must be valid for; also sent
    ///     as SNI and, with `port`, in the Host header.
    public convenience init(address: SocketAddress, tls: TLSContext, serverName: String, group: EventLoopGroup, configuration: Configuration = Configuration()) {
        let origin = HTTPOrigin(scheme: .https, host: serverName, port: address.port)
        self.init(destination: .address(address), security: .tls(tls, serverName: serverName), host: origin.authority, group: group, configuration: configuration)
    }

    /// A client for the origin of `url`: `http://HOST[:PORT]` or `https://HOST[:PORT]`.
    ///
    /// An `https` URL gets a TLS context built from `tls` (this reads the CA file or the system
    /// store, so build clients at start-up, not per request) and verifies the certificate for
    /// the URL's host. A host name is resolved for each new connection (``HostResolver``, off
    /// the cooperative pool), unless `address` says where to connect.
    ///
    /// - Throws: ``HTTPClientError``: ``HTTPClientError/Code/invalidURL`` for a URL it cannot
    ///   use, ``HTTPClientError/Code/tls`` (with the `TLSError` as cause) when `tls` cannot be
    ///   loaded.
    public convenience init(
        url: String,
        tls: TLSConfiguration = TLSConfiguration(),
        address: SocketAddress? = nil,
        group: EventLoopGroup,
        configuration: Configuration = Configuration()
    ) throws(HTTPClientError) {
        let origin = try HTTPOrigin(parsing: url)
        let target: Destination = if let address = address ?? origin.numericAddress { .address(address) } else { .name(origin.host, port: origin.port) }
        switch origin.scheme {
        case .http:
            self.init(destination: target, security: .plain, host: origin.authority, group: group, configuration: configuration)
        case .https:
            let context: TLSContext
            do {
                context = try TLSContext(client: tls)
            } catch {
                throw HTTPClientError(.tls, "cannot set up TLS for \(origin)", cause: error)
            }
            self.init(destination: target, security: .tls(context, serverName: origin.host), host: origin.authority, group: group, configuration: configuration)
        }
    }

    private init(destination: Destination, security: Security, host: String, group: EventLoopGroup, configuration: Configuration) {
        self.destination = destination
        self.security = security
        self.host = host
        self.group = group
        self.configuration = configuration
    }

    deinit {
        for connection in self.idle.withLock({ $0 }) { connection.transport.close() }
    }

    /// Whether connections run over TLS.
    public var isSecure: Bool {
        if case .tls = self.security { return true }
        return false
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
            var sent = false
            do {
                try await connection.send(request, host: self.host, deadline: deadline)
                sent = true
                let head = try await connection.readHead(method: request.method, deadline: deadline)
                let response = HTTPClientResponse(head: head, connection: connection, client: self)
                if connection.isBodyComplete { response.finish() }
                return response
            } catch {
                connection.markNotReusable()
                connection.transport.close()
                // A pooled connection the server closed just as it was reused fails before any
                // response byte; a fresh connection is the fix, once.
                if reused, attempt == 1, Self.isStaleConnectionError(error), Self.mayReplay(request, afterSending: sent) { continue }
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

    /// Whether `request` may be sent again after failing on a stale connection.
    ///
    /// A request that failed while being sent never reached the server whole, so no server
    /// acted on it. One that was sent whole may have been acted on before the connection
    /// closed without an answer: only idempotent methods are sent again then (RFC 9110
    /// §9.2.2: "the intended effect on the server of multiple identical requests with that
    /// method is the same as the effect for a single such request"); a POST that creates a
    /// container must not create two. Streamed bodies cannot be replayed at all.
    private static func mayReplay(_ request: HTTPClientRequest, afterSending sent: Bool) -> Bool {
        if case .stream = request.body { return false }
        return !sent || request.method.isIdempotent
    }

    // MARK: - Pool

    private func acquire() async throws -> (HTTPClientConnection, reused: Bool) {
        let now = Instant.now()
        let idleLimit = self.configuration.idleTimeout
        while let connection = self.idle.withLock({ $0.popLast() }) {
            // A server that closed the connection while it sat idle has sent its FIN (or a
            // TLS close_notify) by now: finding it here, before sending, is what makes it safe
            // not to replay non-idempotent requests.
            if now.duration(since: connection.lastUsed) < idleLimit, connection.transport.isOpenAndQuiet {
                return (connection, true)
            }
            connection.transport.close()
        }
        let (socket, address) = try await self.connect()
        switch self.security {
        case .plain:
            return (HTTPClientConnection(transport: socket), false)
        case .tls(let context, let serverName):
            do {
                let session = try await TLSConnection.connect(over: socket, context: context, serverName: serverName)
                return (HTTPClientConnection(transport: session), false)
            } catch {
                let what = "cannot establish TLS with \(serverName) at \(address)"
                switch error.code {
                case .timedOut: throw HTTPClientError(.timedOut, what, cause: error)
                case .cancelled: throw HTTPClientError(.cancelled, what, cause: error)
                default: throw HTTPClientError(.tls, what, cause: error)
                }
            }
        }
    }

    /// A connected socket to the destination: its address, or each address of its name in turn
    /// until one accepts.
    private func connect() async throws -> (AsyncSocket, SocketAddress) {
        let candidates: [SocketAddress]
        switch self.destination {
        case .address(let address):
            candidates = [address]
        case .name(let host, let port):
            do {
                candidates = try await HostResolver.resolve(host: host, port: port)
            } catch {
                throw HTTPClientError(.connectFailed, "cannot connect to \(host):\(port): \(error.reason)", cause: error)
            }
        }
        var lastError: HTTPClientError?
        for address in candidates {
            do {
                return (try await AsyncSocket.connect(to: address, on: self.group.next(), timeout: self.configuration.connectTimeout), address)
            } catch let error as AsyncSocket.Failure {
                lastError = HTTPClientError(.timedOut, "cannot connect to \(address)", cause: error)
            } catch is CancellationError {
                throw HTTPClientError(.cancelled, "connecting to \(address) was cancelled")
            } catch {
                lastError = HTTPClientError(.connectFailed, "cannot connect to \(address)", cause: error)
            }
        }
        throw lastError!
    }

    func release(_ connection: HTTPClientConnection) {
        guard connection.isReusable, connection.isBodyComplete else {
            connection.transport.close()
            return
        }
        connection.lastUsed = Instant.now()
        let keep = self.idle.withLock { idle -> Bool in
            guard idle.count < self.configuration.maxIdleConnections else { return false }
            idle.append(connection)
            return true
        }
        if !keep { connection.transport.close() }
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
        if let (connection, _) = self.state.withLock({ $0 }) { connection.transport.close() }
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
    ///
    /// Returns `nil` if the connection was already taken or handed back, or if it runs over
    /// TLS (use ``takeTransport()`` there: its socket carries ciphertext).
    public func takeConnection() -> (socket: AsyncSocket, buffered: [UInt8])? {
        let taken = self.state.withLock { state -> HTTPClientConnection? in
            guard let (connection, _) = state, connection.transport is AsyncSocket else { return nil }
            state = nil
            return connection
        }
        guard let taken, let socket = taken.transport as? AsyncSocket else { return nil }
        return (socket, taken.takeBufferedBytes())
    }

    /// Takes the connection's transport, plain or TLS, with the bytes already received past
    /// the head; `nil` if the connection was already taken or handed back.
    public func takeTransport() -> (transport: any HTTPClientTransport, buffered: [UInt8])? {
        guard let (connection, _) = self.state.withLock({ state in defer { state = nil }; return state }) else { return nil }
        return (connection.transport, connection.takeBufferedBytes())
    }

    func finish() {
        guard let (connection, client) = self.state.withLock({ state in defer { state = nil }; return state }) else { return }
        client.release(connection)
    }

    private func abandon() {
        guard let (connection, _) = self.state.withLock({ state in defer { state = nil }; return state }) else { return }
        connection.markNotReusable()
        connection.transport.close()
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let response: HTTPClientResponse
        public mutating func next() async throws -> [UInt8]? {
            try await self.response.read(idleTimeout: nil)
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(response: self) }
}
