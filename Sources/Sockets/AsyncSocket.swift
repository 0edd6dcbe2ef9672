// slipway — Sockets
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A non-blocking socket with async reads and writes, for clients.
///
/// Calls are tried at once on the caller's thread; only when the kernel says "would block" does
/// the task suspend, until the socket's event loop reports readiness (edge-triggered, registered
/// once). One reader and one writer may wait at a time. Every wait has an optional deadline and
/// honours task cancellation; neither ever leaves a task hanging.
public final class AsyncSocket: Sendable {
    /// Why an operation ended without completing.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case timedOut(operation: String)
        case closed

        public var description: String {
            switch self {
            case .timedOut(let operation): "timed out waiting to \(operation)"
            case .closed: "the socket was closed"
            }
        }
    }

    private enum Direction { case read, write }

    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Void, Error>
    }

    private struct State {
        var readReady = true
        var writeReady = true
        var reader: Waiter?
        var writer: Waiter?
        var isClosed = false
        var nextWaiterID: UInt64 = 1
    }

    public let descriptor: CInt
    public let loop: EventLoop
    private let state = Mutex(State())
    private let handler: ReadinessHandler

    private init(descriptor: CInt, loop: EventLoop, isConnected: Bool = true) {
        self.descriptor = descriptor
        self.loop = loop
        self.handler = ReadinessHandler()
        // An in-progress connect is not writable yet; this must be known before registration,
        // whose first edge may report the completed connect.
        self.state.withLock { $0.writeReady = isConnected }
        self.handler.owner = WeakAsyncSocket(self)
    }

    deinit {
        let descriptor = self.descriptor
        let handler = self.handler
        if !self.state.withLock({ $0.isClosed }) {
            Self.deregisterAndClose(descriptor, on: handler, loop: self.loop)
        }
    }

    /// Connects to `address`, registering the socket with `loop`.
    public static func connect(to address: SocketAddress, on loop: EventLoop, timeout: Duration? = nil) async throws -> AsyncSocket {
        var isConnected = false
        let socket = try Socket.connecting(to: address, isConnected: &isConnected)
        let connection = AsyncSocket(descriptor: socket.release(), loop: loop, isConnected: isConnected)
        try await connection.register()
        if !isConnected {
            do {
                try await connection.wait(for: .write, deadline: timeout.map { Instant.now() + $0 }, operation: "connect to \(address)")
                let code = try Posix.getOption(connection.descriptor, level: SOL_SOCKET, name: SO_ERROR)
                if code != 0 { throw SystemError(errno: code, call: "connect", context: address.description) }
            } catch {
                connection.close()
                throw error
            }
        }
        return connection
    }

    /// Listens on `address` (a Unix socket file left by an earlier process is replaced),
    /// registered with `loop`; take connections with ``accept(on:)``.
    public static func listen(on address: SocketAddress, on loop: EventLoop, backlog: CInt = 1024) async throws -> AsyncSocket {
        let socket = try Socket.listening(on: address, backlog: backlog)
        let listener = AsyncSocket(descriptor: socket.release(), loop: loop)
        try await listener.register()
        return listener
    }

    /// Takes the next connection of a listening socket, registered with `loop`; waits until
    /// one arrives. Errors of `accept4` (`EMFILE`, `ECONNABORTED`) are thrown as they are.
    public func accept(on loop: EventLoop) async throws -> AsyncSocket {
        while true {
            try self.checkOpen()
            self.state.withLock { $0.readReady = false }
            switch try Posix.accept(self.descriptor) {
            case .processed(let descriptor):
                let connection = AsyncSocket(descriptor: descriptor, loop: loop)
                try await connection.register()
                return connection
            case .wouldBlock:
                try await self.wait(for: .read, deadline: nil, operation: "accept")
            }
        }
    }

    private func register() async throws {
        let handler = self.handler
        let descriptor = self.descriptor
        let loop = self.loop
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            loop.execute {
                do {
                    try loop.register(descriptor, handler: handler, interest: [.readable, .writable, .readHangup])
                    continuation.resume()
                } catch {
                    Posix.close(descriptor)
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    /// Reads at most `maximum` bytes; an empty result means the peer closed its side.
    public func read(maximum: Int = 64 * 1024, deadline: Instant? = nil) async throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: maximum)
        while true {
            try self.checkOpen()
            self.state.withLock { $0.readReady = false }
            let result = try buffer.withUnsafeMutableBytes { raw in
                try Result { () throws(SystemError) in try Posix.receive(self.descriptor, into: raw) }.get()
            }
            switch result {
            case .processed(let count):
                buffer.removeLast(maximum - count)
                return buffer
            case .wouldBlock:
                try await self.wait(for: .read, deadline: deadline, operation: "read")
            }
        }
    }

    /// Writes every byte of `bytes`. A peer that has gone away is an error (`EPIPE`), never
    /// a SIGPIPE.
    public func write(_ bytes: [UInt8], deadline: Instant? = nil) async throws {
        var offset = 0
        while offset < bytes.count {
            try self.checkOpen()
            self.state.withLock { $0.writeReady = false }
            let result = try bytes.withUnsafeBytes { raw in
                try Result { () throws(SystemError) in
                    try Posix.sendNoSignal(self.descriptor, from: UnsafeRawBufferPointer(rebasing: raw[offset...]))
                }.get()
            }
            switch result {
            case .processed(let count):
                offset += count
            case .wouldBlock:
                try await self.wait(for: .write, deadline: deadline, operation: "write")
            }
        }
    }

    /// Half-closes the write side (the peer reads end-of-stream).
    public func shutdownWrite() {
        try? Posix.shutdown(self.descriptor, how: CInt(SHUT_WR))
    }

    /// Closes the socket; waiting reads and writes fail with ``Failure/closed``.
    public func close() {
        // A second call must not close the descriptor again: by then it may be another socket's.
        guard let waiters = self.state.withLock({ state -> [Waiter]? in
            guard !state.isClosed else { return nil }
            state.isClosed = true
            let waiters = [state.reader, state.writer].compactMap { $0 }
            state.reader = nil
            state.writer = nil
            return waiters
        }) else { return }
        for waiter in waiters { waiter.continuation.resume(throwing: Failure.closed) }
        Self.deregisterAndClose(self.descriptor, on: self.handler, loop: self.loop)
    }

    public var isClosed: Bool { self.state.withLock { $0.isClosed } }

    /// Whether the socket is open and quiet: nothing waits to be read and the peer has neither
    /// closed nor reset the connection. Checked without blocking, for a pooled connection
    /// about to carry a new request, on which anything to read means the peer has moved on.
    public var isOpenAndQuiet: Bool {
        // Under the lock: the descriptor is closed only after `isClosed` is set.
        self.state.withLock { state in
            guard !state.isClosed else { return false }
            guard case .wouldBlock = try? Posix.peekByte(self.descriptor) else { return false }
            return true
        }
    }

    /// Deregisters and closes on the loop, where neither can race with event delivery; on a
    /// loop whose thread has ended, closes here (the kernel drops the descriptor from the
    /// loop's epoll set by itself).
    private static func deregisterAndClose(_ descriptor: CInt, on handler: ReadinessHandler?, loop: EventLoop) {
        let queued = loop.execute {
            handler?.loopDeregister(descriptor)
            Posix.close(descriptor)
        }
        if !queued { Posix.close(descriptor) }
    }

    private func checkOpen() throws {
        if self.state.withLock({ $0.isClosed }) { throw Failure.closed }
    }

    // MARK: - Waiting

    private func wait(for direction: Direction, deadline: Instant?, operation: String) async throws {
        let id = self.state.withLock { state -> UInt64 in
            defer { state.nextWaiterID += 1 }
            return state.nextWaiterID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
                let resumeNow: Error?? = self.state.withLock { state in
                    if state.isClosed { return .some(Failure.closed) }
                    if Task.isCancelled { return .some(CancellationError()) }
                    switch direction {
                    case .read:
                        if state.readReady { return .some(nil) }
                        state.reader = Waiter(id: id, continuation: continuation)
                    case .write:
                        if state.writeReady { return .some(nil) }
                        state.writer = Waiter(id: id, continuation: continuation)
                    }
                    return nil
                }
                if let resumeNow {
                    if let error = resumeNow { continuation.resume(throwing: error) } else { continuation.resume() }
                    return
                }
                if let deadline {
                    let loop = self.loop
                    let weakSelf = WeakAsyncSocket(self)
                    loop.execute {
                        loop.schedule(at: deadline) {
                            weakSelf.value?.fail(id: id, direction: direction, with: Failure.timedOut(operation: operation))
                        }
                    }
                }
            }
        } onCancel: {
            self.fail(id: id, direction: direction, with: CancellationError())
        }
    }

    private func fail(id: UInt64, direction: Direction, with error: Error) {
        let waiter = self.state.withLock { state -> Waiter? in
            switch direction {
            case .read:
                guard let reader = state.reader, reader.id == id else { return nil }
                state.reader = nil
                return reader
            case .write:
                guard let writer = state.writer, writer.id == id else { return nil }
                state.writer = nil
                return writer
            }
        }
        waiter?.continuation.resume(throwing: error)
    }

    /// Called on the loop thread with readiness.
    fileprivate func ready(_ events: EventSet) {
        var resume: [Waiter] = []
        self.state.withLock { state in
            if events.contains(.readable) || events.contains(.readHangup) {
                if let reader = state.reader {
                    state.reader = nil
                    resume.append(reader)
                } else {
                    state.readReady = true
                }
            }
            if events.contains(.writable) {
                if let writer = state.writer {
                    state.writer = nil
                    resume.append(writer)
                } else {
                    state.writeReady = true
                }
            }
        }
        for waiter in resume { waiter.continuation.resume() }
    }
}

/// The loop-side handler of an ``AsyncSocket``; holds its socket weakly so dropping the socket
/// closes it.
private final class ReadinessHandler: EventHandler, @unchecked Sendable {
    // @unchecked: `owner` is written once before registration; `loop` use is loop-confined.
    var owner: WeakAsyncSocket?

    func handleEvents(_ events: EventSet) {
        self.owner?.value?.ready(events)
    }

    func loopDeregister(_ descriptor: CInt) {
        self.owner?.loop?.deregister(descriptor)
    }
}

private struct WeakAsyncSocket: @unchecked Sendable {
    // @unchecked: a weak reference to a Sendable class.
    weak var value: AsyncSocket?
    let loop: EventLoop?
    init(_ value: AsyncSocket) {
        self.value = value
        self.loop = value.loop
    }
}
