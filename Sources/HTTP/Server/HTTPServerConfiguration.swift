// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

import Sockets

/// Everything that shapes how the server listens, parses and defends itself. The defaults are
/// what a public service would ship (see `http-robustness.md` §0).
public struct HTTPServerConfiguration: Sendable {
    /// Addresses to listen on: TCP (IPv4, IPv6) and Unix-domain sockets.
    public var listeners: [SocketAddress] = [.ipv4(host: "127.0.0.1", port: 8080)]
    /// Pending connections the kernel queues per listener before we accept them.
    public var backlog: Int32 = 1024

    /// Request-line, header and chunk-line size limits.
    public var limits = HTTP1Limits()
    /// Default largest request body; routes may set their own.
    public var maxBodyBytes = 1024 * 1024

    /// Total time to receive a request line and headers; then 408 and close (slowloris).
    public var headerTimeout: Duration = .seconds(10)
    /// Minimum average upload rate once the grace period has passed; slower gets 408.
    public var minimumBodyBytesPerSecond = 240
    public var bodyRateGracePeriod: Duration = .seconds(5)
    /// How long a keep-alive connection may sit idle between requests.
    public var idleTimeout: Duration = .seconds(10)
    /// How long queued output may make no progress before the connection is dropped.
    public var writeStallTimeout: Duration = .seconds(30)

    /// Open connections at most; beyond that a connection is answered 503 and closed.
    public var maxConnections = 10_000
    /// Requests served on one connection before it is closed with `Connection: close`.
    public var maxRequestsPerConnection = 1000
    /// Output queued per connection before the server stops reading requests from it and
    /// before a streaming body's writer waits.
    public var maxBufferedOutputBytes = 64 * 1024

    /// HTTP/2 cleartext (prior knowledge and `Upgrade: h2c`) and its limits.
    public var http2 = HTTP2Configuration()
    /// gzip for response bodies.
    public var compression = ResponseCompressionConfiguration()

    /// How long a graceful shutdown waits for in-flight requests before closing everything.
    public var shutdownGracePeriod: Duration = .seconds(10)

    public init() {}
}
