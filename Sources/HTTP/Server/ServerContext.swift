// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

import Logging
import Sockets
import Synchronization

/// A finished request, reported to the server's observer (access logging, metrics).
public struct HTTPRequestRecord: Sendable {
    public var method: HTTPMethod
    public var path: String
    /// The matched route's pattern (`/v1/jobs/{id}`), or `nil` for 404s and protocol errors.
    public var route: String?
    public var status: Int
    public var version: HTTPVersion
    /// From the end of the request head to the response head being queued.
    public var duration: Duration
}

/// State shared by every connection of a server; immutable after start except for counters.
final class ServerContext: Sendable {
    let configuration: HTTPServerConfiguration
    let router: Router
    let logger: Logger
    let observer: (@Sendable (HTTPRequestRecord) -> Void)?
    let openConnections = Atomic<Int>(0)
    /// The configured timeouts in nanoseconds, converted once: deadlines are computed several
    /// times per request.
    let headerTimeout: UInt64
    let idleTimeout: UInt64
    let bodyRateGracePeriod: UInt64
    let writeStallTimeout: UInt64

    init(configuration: HTTPServerConfiguration, router: Router, logger: Logger, observer: (@Sendable (HTTPRequestRecord) -> Void)?) {
        self.configuration = configuration
        self.headerTimeout = configuration.headerTimeout.nanoseconds
        self.idleTimeout = configuration.idleTimeout.nanoseconds
        self.bodyRateGracePeriod = configuration.bodyRateGracePeriod.nanoseconds
        self.writeStallTimeout = configuration.writeStallTimeout.nanoseconds
        self.router = router
        self.logger = logger
        self.observer = observer
    }
}

/// Per-loop state: the read scratch buffer, the date cache and the set of live connections.
/// Touched only on its loop's thread.
final class LoopContext {
    let loop: EventLoop
    /// Sockets given to this loop and not yet closed, counting those still on their way from
    /// another loop's listener. Read by every loop's listener to choose where a new connection
    /// goes; written by listeners and by this loop's connections as they close.
    let openSockets = Atomic<Int>(0)
    let dateCache = DateCache()
    /// One read buffer for every connection of the loop: a connection copies out only what it
    /// has not parsed yet, so ten thousand idle connections hold no buffers.
    let readBuffer: UnsafeMutableRawBufferPointer
    private(set) var connections: [ObjectIdentifier: any ServerConnection] = [:]
    private(set) var isShuttingDown = false
    private var drainedWaiters: [@Sendable () -> Void] = []

    init(loop: EventLoop) {
        self.loop = loop
        self.readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    }

    deinit { self.readBuffer.deallocate() }

    func add(_ connection: any ServerConnection) {
        self.connections[ObjectIdentifier(connection)] = connection
    }

    func remove(_ connection: any ServerConnection) {
        self.connections[ObjectIdentifier(connection)] = nil
        if self.isShuttingDown && self.connections.isEmpty { self.notifyDrained() }
    }

    /// Asks every connection to finish what it is doing and close; `whenDrained` runs on the
    /// loop once none is left.
    func beginShutdown(whenDrained: @escaping @Sendable () -> Void) {
        self.isShuttingDown = true
        self.drainedWaiters.append(whenDrained)
        for connection in Array(self.connections.values) { connection.beginGracefulClose() }
        if self.connections.isEmpty { self.notifyDrained() }
    }

    /// Closes every connection at once (the grace period is over).
    func closeAll() {
        for connection in Array(self.connections.values) { connection.abort() }
        if self.connections.isEmpty { self.notifyDrained() }
    }

    private func notifyDrained() {
        let waiters = self.drainedWaiters
        self.drainedWaiters.removeAll()
        for waiter in waiters { waiter() }
    }
}

/// A connection the server tracks for graceful shutdown, whatever its protocol.
protocol ServerConnection: AnyObject {
    /// Finish the request in flight (if any), then close; idle connections close at once.
    func beginGracefulClose()
    /// Close now.
    func abort()
}

/// Carries a loop-confined reference through a `@Sendable` closure that is only ever run on
/// that loop (the closure is handed to `EventLoop.execute`).
struct LoopBound<Value: AnyObject>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
