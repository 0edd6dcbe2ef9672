// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import Logging
import Sockets
import Synchronization

/// slipway's HTTP server: HTTP/1.1 and HTTP/2 cleartext (h2c, by prior knowledge or
/// `Upgrade: h2c`) on epoll event loops, routing to ``Router`` handlers, with gzip responses.
///
/// ```swift
/// let server = HTTPServer(configuration: configuration, router: router, group: group, logger: logger)
/// let addresses = try server.start()      // port 0 becomes the real port
/// …
/// await server.shutdown()                 // stop accepting, finish in-flight requests
/// ```
public final class HTTPServer: Sendable {
    private let context: ServerContext
    private let group: EventLoopGroup
    private let state = Mutex<State>(.created)

    private enum State {
        case created
        case running(listeners: [ListeningSocket], loops: [LoopContextBox])
        case stopped
    }

    /// Owns a listening descriptor; closed when the server stops.
    final class ListeningSocket: Sendable {
        let descriptor: CInt
        let address: SocketAddress
        init(descriptor: CInt, address: SocketAddress) {
            self.descriptor = descriptor
            self.address = address
        }
        deinit {
            Posix.close(self.descriptor)
            if case .unix(let path) = self.address { Posix.unlink(path) }
        }
    }

    /// A loop's context and listeners, reachable only through that loop.
    struct LoopContextBox: @unchecked Sendable {
        // @unchecked: `context` and `listeners` are only touched inside `loop.execute`.
        let loop: EventLoop
        let context: LoopContext
        let listeners: [Listener]
    }

    /// - Parameters:
    ///   - observer: called on a loop thread for every response; keep it cheap.
    public init(
        configuration: HTTPServerConfiguration,
        router: Router,
        group: EventLoopGroup,
        logger: Logger,
        observer: (@Sendable (HTTPRequestRecord) -> Void)? = nil
    ) {
        self.context = ServerContext(configuration: configuration, router: router, logger: logger, observer: observer)
        self.group = group
    }

    public var configuration: HTTPServerConfiguration { self.context.configuration }

    /// Connections open right now.
    public var openConnections: Int { self.context.openConnections.load(ordering: .relaxed) }

    /// Connections open right now on each event loop, in the group's order (empty before
    /// ``start()``): new connections go to the loop with the fewest.
    public var openConnectionsPerLoop: [Int] {
        self.state.withLock { state in
            guard case .running(_, let loops) = state else { return [] }
            return loops.map { $0.context.openSockets.load(ordering: .relaxed) }
        }
    }

    /// Binds every configured listener and starts accepting. Returns the bound addresses, with
    /// port 0 replaced by the port the kernel chose.
    @discardableResult
    public func start() async throws -> [SocketAddress] {
        // A peer that resets its connection must cost us an EPIPE, never the process. The
        // connections send with MSG_NOSIGNAL; the signal is also ignored process-wide (as the
        // CLI does) for every other writer of a socket or pipe.
        signal(SIGPIPE, SIG_IGN)
        var sockets: [ListeningSocket] = []
        for address in self.context.configuration.listeners {
            let socket = try Socket.listening(on: address, backlog: self.context.configuration.backlog)
            let bound = address.isUnix ? address : try socket.localAddress()
            sockets.append(ListeningSocket(descriptor: socket.release(), address: bound))
        }
        var boxes: [LoopContextBox] = []
        do {
            let contexts = self.group.loops.map(LoopContext.init(loop:))
            for context in contexts {
                let loop = context.loop
                let listeners = sockets.map {
                    Listener(descriptor: $0.descriptor, address: $0.address, context: context, loops: contexts, server: self.context)
                }
                let box = LoopContextBox(loop: loop, context: context, listeners: listeners)
                boxes.append(box)
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
                    loop.execute {
                        do {
                            for listener in box.listeners { try listener.start() }
                            continuation.resume()
                        } catch {
                            continuation.resume(throwing: error)
                        }
                    }
                }
            }
        } catch {
            for box in boxes { box.loop.execute { for listener in box.listeners { listener.stop() } } }
            throw error
        }
        self.state.withLock { $0 = .running(listeners: sockets, loops: boxes) }
        return sockets.map(\.address)
    }

    /// The addresses the server listens on, once started.
    public var localAddresses: [SocketAddress] {
        self.state.withLock { state in
            if case .running(let listeners, _) = state { return listeners.map(\.address) }
            return []
        }
    }

    /// Stops accepting, lets in-flight requests finish (their responses carry
    /// `Connection: close`), closes idle keep-alive connections at once, and after `gracePeriod`
    /// (default: the configuration's) closes whatever is left.
    public func shutdown(gracePeriod: Duration? = nil) async {
        let running = self.state.withLock { state -> (listeners: [ListeningSocket], loops: [LoopContextBox])? in
            guard case .running(let listeners, let loops) = state else { return nil }
            state = .stopped
            return (listeners, loops)
        }
        guard let running else { return }
        let grace = gracePeriod ?? self.context.configuration.shutdownGracePeriod
        await withTaskGroup(of: Void.self) { group in
            for box in running.loops {
                group.addTask {
                    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                        let resumed = Atomic<Bool>(false)
                        let resume: @Sendable () -> Void = {
                            if !resumed.exchange(true, ordering: .acquiringAndReleasing) { continuation.resume() }
                        }
                        box.loop.execute {
                            for listener in box.listeners { listener.stop() }
                            box.context.beginShutdown(whenDrained: resume)
                            box.loop.schedule(after: grace) { box.context.closeAll() }
                        }
                    }
                }
            }
        }
        // The listening sockets close when the last reference (here) goes away.
        _ = running.listeners
    }
}
