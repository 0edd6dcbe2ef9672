// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import Sockets

/// Accepts connections from one listening socket on one event loop.
///
/// Every loop of the server registers the same listening socket (level-triggered, so a
/// connection left in the backlog keeps it readable); whichever loop wakes first accepts. A
/// connection over the server's limit is accepted and answered 503, never left hanging in the
/// backlog.
///
/// The accepting loop is not always where a connection should live: clients open their
/// connections in a burst, and the first loop to wake would take the whole burst (64 at a
/// time) while the others sat idle. Each connection goes to the loop with the fewest open
/// sockets, this one on a tie, handed over through that loop's task queue.
final class Listener: EventHandler {
    private let descriptor: CInt
    private let address: SocketAddress
    private let context: LoopContext
    /// Every loop of the server, this one included.
    private let loops: [LoopContext]
    private let server: ServerContext
    private var isRegistered = false
    private var isStopped = false

    /// Connections accepted per wake-up before yielding to the loop's other work.
    private static let acceptBatch = 64

    init(descriptor: CInt, address: SocketAddress, context: LoopContext, loops: [LoopContext], server: ServerContext) {
        self.descriptor = descriptor
        self.address = address
        self.context = context
        self.loops = loops
        self.server = server
    }

    func start() throws(SystemError) {
        // Level-triggered whatever the loop's mode: the batch limit may leave connections in
        // the backlog, and only level triggering wakes us again for them.
        try self.context.loop.register(self.descriptor, handler: self, interest: [.readable], trigger: .level)
        self.isRegistered = true
    }

    func stop() {
        self.isStopped = true
        if self.isRegistered {
            self.context.loop.deregister(self.descriptor)
            self.isRegistered = false
        }
    }

    func handleEvents(_ events: EventSet) {
        for _ in 0..<Self.acceptBatch {
            let accepted: IOResult<CInt>
            do {
                accepted = try Posix.accept(self.descriptor)
            } catch {
                self.acceptFailed(error)
                return
            }
            guard case .processed(let descriptor) = accepted else { return }
            self.adopt(Socket(adopting: descriptor))
        }
    }

    private func adopt(_ socket: consuming Socket) {
        let previous = self.server.openConnections.add(1, ordering: .relaxed).oldValue
        if previous >= self.server.configuration.maxConnections || self.context.isShuttingDown {
            self.server.openConnections.subtract(1, ordering: .relaxed)
            Self.refuse(socket)
            return
        }
        if !self.address.isUnix { try? socket.setNoDelay() }
        let remote = try? Posix.peerAddress(socket.descriptor)
        let target = self.leastLoadedLoop()
        // Counted before the hand-over, so the rest of a burst sees it.
        target.openSockets.add(1, ordering: .relaxed)
        if target === self.context {
            Self.serve(socket, from: remote, on: target, server: self.server)
            return
        }
        let descriptor = socket.release()
        let bound = LoopBound(target)
        let server = self.server
        target.loop.execute {
            let context = bound.value
            let socket = Socket(adopting: descriptor)
            guard !context.isShuttingDown else {
                server.openConnections.subtract(1, ordering: .relaxed)
                context.openSockets.subtract(1, ordering: .relaxed)
                Self.refuse(socket)
                return
            }
            Self.serve(socket, from: remote, on: context, server: server)
        }
    }

    /// The loop with the fewest open sockets; this one when it has no more than the others.
    private func leastLoadedLoop() -> LoopContext {
        var best = self.context
        var fewest = self.context.openSockets.load(ordering: .relaxed)
        for loop in self.loops where loop !== self.context {
            let count = loop.openSockets.load(ordering: .relaxed)
            if count < fewest {
                best = loop
                fewest = count
            }
        }
        return best
    }

    private static func serve(_ socket: consuming Socket, from remote: SocketAddress?, on context: LoopContext, server: ServerContext) {
        let connection = HTTP1ServerConnection(socket: socket, remoteAddress: remote, context: context, server: server)
        connection.start()
    }

    /// Answers 503 in one write and closes; the response fits the socket buffer of a fresh
    /// connection, so no state is kept for it.
    private static func refuse(_ socket: consuming Socket) {
        _ = Self.serviceUnavailable.withUnsafeBytes { try? socket.write($0) }
        socket.shutdownWrite()
    }

    private static let serviceUnavailable: [UInt8] = Array(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/problem+json\r\nContent-Length: 120\r\nRetry-After: 1\r\nConnection: close\r\n\r\n".utf8
    ) + {
        var body = Array(#"{"status":503,"title":"Service Unavailable","detail":"the server is at its connection limit; retry shortly"}"#.utf8)
        while body.count < 120 { body.append(UInt8(ascii: " ")) }
        return body
    }()

    private func acceptFailed(_ error: SystemError) {
        switch error.errno {
        case EMFILE, ENFILE, ENOBUFS, ENOMEM:
            // Out of descriptors or memory: the backlog stays readable, so stop watching it for
            // a moment instead of spinning.
            self.server.logger.warning("cannot accept connections: \(error); pausing for 100 ms")
            self.stop()
            self.isStopped = false
            self.context.loop.schedule(after: .milliseconds(100)) { [weak self] in
                guard let self, !self.isStopped, !self.context.isShuttingDown else { return }
                try? self.start()
            }
        case ECONNABORTED, EPROTO, EPERM:
            break  // the peer gave up before we accepted; nothing to do
        default:
            self.server.logger.warning("accept failed: \(error)")
        }
    }
}
