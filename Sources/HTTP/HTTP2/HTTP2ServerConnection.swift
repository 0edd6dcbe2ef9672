// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

import Logging
import Sockets

/// One HTTP/2 connection, driven by its event loop: bytes read from the socket go straight
/// into the nghttp2 session (``HTTP2Session/receive(_:)``), the frames it produces are
/// copied into the output queue and written with as few `sendmsg` calls as possible.
///
/// Requests reach the same router and handlers as HTTP/1.1. Immediate handlers run inside
/// the session callback that completes the request; async handlers and streaming bodies run
/// as tasks and come back through `EventLoop.execute`. Streaming bodies are pulled by
/// nghttp2 through the data provider as flow control allows (`NGHTTP2_ERR_DEFERRED` when
/// the producer is behind, `nghttp2_session_resume_data` when it catches up), so nothing is
/// rendered whole before it is sent.
///
/// The connection starts from an HTTP/1.1 connection that saw the client preface (prior
/// knowledge) or answered `Upgrade: h2c` with 101; it takes over the socket, the bytes read
/// so far and any output still queued.
final class HTTP2ServerConnection: EventHandler, ServerConnection {
    enum Phase {
        case open
        /// Input is no longer processed; once the output is written the connection half-closes.
        case closingAfterFlush
        /// The write side is shut; input is read and discarded until EOF or `deadline`, so the
        /// last frames are not wiped out by a reset (as in HTTP/1.1).
        case draining(deadline: Instant)
        case closed
    }

    /// The request an `Upgrade: h2c` carried, answered on stream 1.
    struct Upgrade {
        var settingsPayload: [UInt8]
        var head: HTTPRequestHead
    }

    let context: LoopContext
    let server: ServerContext
    let configuration: HTTP2Configuration
    var loop: EventLoop { self.context.loop }
    var socket: Socket?
    let descriptor: CInt
    let remoteAddress: SocketAddress?
    private(set) var session: HTTP2Session!

    var streams: [Int32: HTTP2Stream] = [:]
    /// The stream of the last lookup: callbacks for one stream come in runs (HEADERS, its
    /// fields, DATA…), so this spares most dictionary lookups. Cleared when it closes.
    var lastStream: HTTP2Stream?
    var output: OutputQueue
    var headerBlock = HTTP2HeaderBlock()
    var phase: Phase = .open
    var shutdown: HTTP2ShutdownState = .serving
    var resetBudget: HTTP2ResetBudget
    var terminatedForResets = false

    /// Edge-triggered readiness, remembered until a call reports "would block".
    var mayRead = true
    var mayWrite = true
    var peerHalfClosed = false
    /// Reading stopped because the output queue passed its cap.
    var readPausedForOutput = false
    private var isReading = false
    private var isSending = false

    var streamsServed = 0
    var lastStreamActivity: Instant
    var lastWriteProgress: Instant
    var nextSweep: Instant
    var timer: TimerHandle?
    private var drainedBytes = 0
    /// Response bytes queued by streaming writers and not yet pulled by nghttp2.
    var bufferedResponseBytes = 0
    /// Some writer waits because ``bufferedResponseBytes`` passed the connection cap.
    var writersBlockedByConnection = false
    /// Request body bytes held for streams still receiving.
    var bufferedRequestBytes = 0

    private var initialInput: [UInt8]
    private var upgrade: Upgrade?

    static let drainPeriod: Duration = .seconds(2)
    static let maxDrainBytes = 256 * 1024
    static let sweepInterval: Duration = .seconds(1)

    /// Takes over `socket` from an HTTP/1.1 connection.
    ///
    /// - Parameters:
    ///   - initialInput: bytes already read and not yet processed (the client preface onward).
    ///   - pendingOutput: output the HTTP/1.1 connection had queued (the 101 of an upgrade).
    ///   - upgrade: the upgraded request, answered on stream 1.
    init(
        socket: consuming Socket, remoteAddress: SocketAddress?, context: LoopContext, server: ServerContext,
        initialInput: [UInt8], pendingOutput: OutputQueue, upgrade: Upgrade?
    ) {
        self.descriptor = socket.descriptor
        self.socket = consume socket
        self.remoteAddress = remoteAddress
        self.context = context
        self.server = server
        self.configuration = server.configuration.http2
        self.output = pendingOutput
        self.initialInput = initialInput
        self.upgrade = upgrade
        let now = context.loop.now
        self.lastStreamActivity = now
        self.lastWriteProgress = now
        self.nextSweep = now
        self.resetBudget = HTTP2ResetBudget(burst: server.configuration.http2.sentResetBurst, ratePerSecond: server.configuration.http2.sentResetRate, now: now)
        let limits = HTTP2Session.Limits(
            maxContinuations: self.configuration.maxContinuations,
            incomingResetBurst: self.configuration.incomingResetBurst,
            incomingResetRate: self.configuration.incomingResetRate
        )
        guard let session = HTTP2Session(delegate: self, limits: limits) else {
            fatalError("nghttp2 could not allocate a session: out of memory")
        }
        self.session = session
    }

    /// Registers with the loop, sends the server preface and processes what already arrived.
    func start() {
        do {
            try self.loop.register(self.descriptor, handler: self)
        } catch {
            self.server.logger.warning("cannot register connection", metadata: ["error": "\(error)"])
            self.closeNow()
            return
        }
        self.context.add(self)
        var settings: [HTTP2Session.Setting] = [
            .maxConcurrentStreams(UInt32(clamping: self.configuration.maxConcurrentStreams)),
            .maxHeaderListSize(UInt32(clamping: self.configuration.maxHeaderListBytes)),
            .noRFC7540Priorities(true),
        ]
        if self.configuration.initialWindowSize != 65_535 {
            settings.append(.initialWindowSize(UInt32(clamping: self.configuration.initialWindowSize)))
        }
        self.session.submitSettings(settings)
        if let upgrade = self.upgrade {
            self.upgrade = nil
            self.startUpgradedStream(upgrade)
        }
        let input = self.initialInput
        self.initialInput = []
        if !input.isEmpty {
            let outcome = input.withUnsafeBytes { self.session.receive($0) }
            if case .fatal(let code, let reason) = outcome { self.sessionFailed(reason, code: code) }
        }
        if self.context.isShuttingDown { self.beginGracefulClose() }
        self.sendPass()
        self.readAndProcess()
    }

    // MARK: - Events

    func handleEvents(_ events: EventSet) {
        if events.contains(.writable) {
            self.mayWrite = true
            self.sendPass()
        }
        if events.contains(.readable) || events.contains(.readHangup) {
            self.mayRead = true
            self.readAndProcess()
        }
    }

    private var outputCap: Int { self.server.configuration.maxBufferedOutputBytes }

    func readAndProcess() {
        guard !self.isReading else { return }
        self.isReading = true
        defer { self.isReading = false }
        var reads = 0
        readLoop: while self.mayRead, self.socket != nil {
            switch self.phase {
            case .open:
                // Read only as fast as the client reads our output (floods of PING or
                // SETTINGS make nghttp2 queue ACKs).
                if self.output.pendingBytes > self.outputCap {
                    self.readPausedForOutput = true
                    break readLoop
                }
            case .draining:
                break
            case .closingAfterFlush, .closed:
                break readLoop
            }
            let buffer = self.context.readBuffer
            let result: IOResult<Int>
            do {
                result = try Posix.receive(self.descriptor, into: buffer)
            } catch {
                self.closeNow()
                return
            }
            switch result {
            case .wouldBlock:
                self.mayRead = false
            case .processed(0):
                self.mayRead = false
                self.peerClosed()
                break readLoop
            case .processed(let count):
                if count < buffer.count, self.loop.triggerMode == .edge { self.mayRead = false }
                if case .draining = self.phase {
                    self.drainedBytes += count
                    if self.drainedBytes > Self.maxDrainBytes { self.closeNow(); return }
                    continue
                }
                if case .fatal(let code, let reason) = self.session.receive(UnsafeRawBufferPointer(rebasing: buffer[0..<count])) {
                    self.sessionFailed(reason, code: code)
                    break readLoop
                }
                reads += 1
                if reads >= 16 {
                    // Let other connections of this loop have a turn.
                    self.loop.executeLater { self.readAndProcess() }
                    break readLoop
                }
            }
        }
        self.sendPass()
    }

    private func peerClosed() {
        if case .draining = self.phase {
            self.closeNow()
            return
        }
        // A stream whose request is incomplete can never complete now.
        if self.streams.isEmpty || self.streams.values.contains(where: \.isReceiving) {
            self.closeNow()
        } else {
            self.peerHalfClosed = true
        }
    }

    /// nghttp2 gave up on the connection: queue a GOAWAY saying why (nghttp2 queues none
    /// for some errors, e.g. too many CONTINUATION frames), send whatever is queued, close.
    func sessionFailed(_ reason: String, code: Int32? = nil) {
        self.server.logger.debug("closing an HTTP/2 connection", metadata: ["reason": "\(reason)"])
        if let code { self.session.terminate(errorCode: HTTP2Session.ErrorCode(libraryError: code)) }
        if case .open = self.phase { self.phase = .closingAfterFlush }
        self.rearmTimer()
    }

    // MARK: - Writing

    /// Moves frames from nghttp2 to the socket until nghttp2 has nothing more, the socket
    /// would block, or the output queue is full; then acts on what that means.
    func sendPass() {
        guard self.socket != nil, !self.isSending else { return }
        self.isSending = true
        let cap = self.outputCap
        while self.socket != nil {
            var produced = 0
            switch self.phase {
            case .open, .closingAfterFlush:
                if self.output.pendingBytes < cap {
                    let outcome = self.session.send { bytes in
                        self.output.append(bytes)
                        produced += bytes.count
                        return self.output.pendingBytes < cap
                    }
                    if case .fatal(_, let reason) = outcome {
                        self.server.logger.debug("closing an HTTP/2 connection", metadata: ["reason": "\(reason)"])
                        self.phase = .closingAfterFlush
                    }
                }
            case .draining, .closed:
                break
            }
            guard self.flushOutput() else { break }
            // Another round only if this one stopped at the cap with more to send.
            guard case .open = self.phase, produced > 0, self.session.wantsWrite else { break }
        }
        self.isSending = false
        self.afterSend()
    }

    /// Writes the output queue; true when it is empty afterwards.
    private func flushOutput() -> Bool {
        guard self.socket != nil else { return false }
        if self.output.isEmpty { return true }
        guard self.mayWrite else { return false }
        do {
            switch try self.output.flush(to: self.descriptor) {
            case .drained:
                self.lastWriteProgress = self.loop.now
                if self.loop.triggerMode == .level { self.loop.reregister(self.descriptor, interest: [.readable, .readHangup]) }
                return true
            case .wouldBlock:
                self.mayWrite = false
                self.lastWriteProgress = self.loop.now
                if self.loop.triggerMode == .level { self.loop.reregister(self.descriptor, interest: [.readable, .writable, .readHangup]) }
                return false
            }
        } catch {
            // The peer reset the connection; nothing more can be delivered.
            self.closeNow()
            return false
        }
    }

    private func afterSend() {
        guard self.socket != nil else { return }
        if self.output.isEmpty {
            switch self.phase {
            case .closingAfterFlush:
                self.startDraining()
                return
            case .open:
                if !self.session.wantsRead && !self.session.wantsWrite {
                    // Both sides said GOAWAY and no stream is left, or the session was terminated.
                    self.startDraining()
                    return
                }
                if self.peerHalfClosed && self.streams.isEmpty {
                    self.closeNow()
                    return
                }
                if self.readPausedForOutput {
                    self.readPausedForOutput = false
                    if self.mayRead, !self.isReading { self.loop.executeLater { self.readAndProcess() } }
                }
            case .draining, .closed:
                break
            }
        }
        self.rearmTimer()
    }

    /// Half-closes and reads until the client closes too.
    private func startDraining() {
        guard self.socket != nil else { return }
        self.session.invalidate()
        self.dropStreams()
        if self.peerHalfClosed {
            self.closeNow()
            return
        }
        self.socket?.shutdownWrite()
        self.phase = .draining(deadline: self.loop.now + Self.drainPeriod)
        self.rearmTimer()
        self.mayRead = true
        self.loop.executeLater { self.readAndProcess() }
    }

    // MARK: - Closing

    func beginGracefulClose() {
        guard self.socket != nil, case .open = self.phase else { return }
        let action = self.shutdown.beginShutdown(now: self.loop.now, timeout: self.configuration.shutdownNoticeTimeout, pingPayload: UInt64.random(in: 1...UInt64.max))
        self.perform(action)
        if !self.isSending { self.sendPass() }
    }

    func perform(_ action: HTTP2ShutdownState.Action) {
        switch action {
        case .none:
            break
        case .announce(let payload):
            self.session.submitShutdownNotice()
            self.session.submitPing(payload: payload)
        case .sendFinalGoaway:
            self.session.submitGoaway(lastStreamID: self.session.lastProcessedStreamID, errorCode: .noError)
        }
    }

    func abort() {
        self.closeNow()
    }

    /// Forgets every stream: handlers and producers are cancelled, waiting writers fail.
    private func dropStreams() {
        let streams = self.streams
        self.streams.removeAll()
        self.lastStream = nil
        for stream in streams.values {
            stream.task?.cancel()
            stream.task = nil
            if let waiter = stream.writerWaiter {
                stream.writerWaiter = nil
                waiter(ConnectionClosedError())
            }
        }
        self.bufferedResponseBytes = 0
        self.bufferedRequestBytes = 0
    }

    func closeNow() {
        guard self.socket != nil else { return }
        self.timer?.cancel()
        self.timer = nil
        self.loop.deregister(self.descriptor)
        self.socket = nil
        self.phase = .closed
        self.output.removeAll()
        self.dropStreams()
        self.session.invalidate()
        self.server.openConnections.subtract(1, ordering: .relaxed)
        self.context.openSockets.subtract(1, ordering: .relaxed)
        self.context.remove(self)
    }
}
