// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import Logging
import Sockets

/// One HTTP/1.1 connection, driven by its event loop: reads, decodes, dispatches to the router,
/// writes responses in request order, and enforces the timeouts.
///
/// Everything here runs on the loop thread. Async handlers and streaming bodies run as tasks
/// and come back through `EventLoop.execute`.
final class HTTP1ServerConnection: EventHandler, ServerConnection {
    private enum State {
        /// Between requests; nothing of the next one has arrived.
        case idle(since: Instant)
        /// Part of a request head has arrived.
        case readingHead(since: Instant)
        /// Collecting the body of ``pending``, whose head arrived at `since`.
        case readingBody(since: Instant)
        /// A handler task is producing the response.
        case processing(keepAlive: Bool)
        /// A streaming body is being produced.
        case streaming(StreamingResponse)
        /// The last response is queued; once it is written the connection half-closes.
        case closingAfterFlush
        /// Write side shut down; input is read and discarded until EOF or `deadline`.
        case draining(deadline: Instant)
        case closed
    }

    private struct PendingRequest {
        var head: HTTPRequestHead
        var decision: HTTP1BodyFraming.Decision
        var match: Router.Match
        /// An error decided from the head alone (404, 405, 501); sent once the body is read.
        var earlyError: HTTPError?
        var body: [UInt8] = []
        /// Decodes a `Content-Encoding: gzip`/`deflate` body as it arrives.
        var bodyDecoder: RequestBodyDecoder?
        var startedAt: Instant
    }

    private struct StreamingResponse {
        var keepAlive: Bool
        var chunked: Bool
        /// Bytes still owed for a Content-Length stream.
        var remaining: Int?
    }

    private let context: LoopContext
    private let server: ServerContext
    private var loop: EventLoop { self.context.loop }
    /// Tested several times per request, so never used for a call (closing, shutting down):
    /// an access to a stored property that spans a call makes the compiler check every access
    /// to it for exclusivity at run time. `closeNow` takes it out and closes it afterwards.
    private var socket: Socket?
    let descriptor: CInt
    let remoteAddress: SocketAddress?

    private var input: [UInt8] = []
    private var inputStart = 0
    private var decoder: HTTP1RequestDecoder
    private var output = OutputQueue()
    /// Kept out of `State` so that the state stays a few plain words: it is switched on several
    /// times per request, and a payload with references would be copied and retained each time.
    private var state: State
    /// The request whose body is being read: set with `.readingBody`, taken when it is complete.
    private var pending: PendingRequest?

    /// Edge-triggered readiness, remembered until a call reports "would block".
    private var mayRead = true
    private var mayWrite = true
    private var peerHalfClosed = false
    private var requestsServed = 0
    private var lastWriteProgress: Instant
    private var timer: TimerHandle?
    private var handlerTask: Task<Void, Never>?
    private var streamWaiter: (@Sendable (Error?) -> Void)?
    private var drainedBytes = 0
    /// Set while `readAndProcess` runs, so work it triggers does not re-enter it.
    private var isReading = false
    /// Whether the first bytes were checked for the HTTP/2 client preface.
    private var prefaceChecked: Bool

    private static let drainPeriod: Duration = .seconds(2)
    private static let maxDrainBytes = 256 * 1024

    init(socket: consuming Socket, remoteAddress: SocketAddress?, context: LoopContext, server: ServerContext) {
        self.descriptor = socket.descriptor
        self.socket = consume socket
        self.remoteAddress = remoteAddress
        self.context = context
        self.server = server
        self.decoder = HTTP1RequestDecoder(limits: server.configuration.limits)
        self.prefaceChecked = !server.configuration.http2.priorKnowledge
        let now = context.loop.now
        self.state = .idle(since: now)
        self.lastWriteProgress = now
    }

    /// Registers with the loop and processes whatever already arrived.
    func start() {
        do {
            try self.loop.register(self.descriptor, handler: self)
        } catch {
            self.server.logger.warning("cannot register connection", metadata: ["error": "\(error)"])
            self.closeNow()
            return
        }
        self.context.add(self)
        self.rearmTimer()
        self.readAndProcess()
    }

    // MARK: - Events

    func handleEvents(_ events: EventSet) {
        if events.contains(.writable) {
            self.mayWrite = true
            self.flushOutput()
        }
        if events.contains(.readHangup) {
            self.peerHalfClosed = true
        }
        if events.contains(.readable) || events.contains(.readHangup) {
            self.mayRead = true
            self.readAndProcess()
        }
    }

    /// Whether the connection wants request bytes now. While a handler runs, a body streams or
    /// output is backed up, the kernel buffers hold what the client sends: that is the
    /// back-pressure.
    private var wantsInput: Bool {
        switch self.state {
        case .idle, .readingHead, .readingBody, .draining:
            return self.output.pendingBytes <= self.server.configuration.maxBufferedOutputBytes
        case .processing, .streaming, .closingAfterFlush, .closed:
            return false
        }
    }

    private func readAndProcess() {
        guard !self.isReading else { return }
        self.isReading = true
        defer { self.isReading = false }
        var reads = 0
        while self.mayRead, self.wantsInput, self.socket != nil {
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
                return
            case .processed(let count):
                // A short read emptied the socket buffer: skip the read that would only say
                // "would block". Data arriving later raises a new edge (nginx does the same).
                if count < buffer.count, self.loop.triggerMode == .edge { self.mayRead = false }
                if case .draining = self.state {
                    self.drainedBytes += count
                    if self.drainedBytes > Self.maxDrainBytes { self.closeNow(); return }
                    continue
                }
                self.input.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                self.processInput()
                reads += 1
                if reads >= 16 {
                    // Let other connections of this loop have a turn. (Strong captures here and
                    // below: a weak reference would give the connection a side table and make
                    // every retain and release of it slow; the task runs within this batch.)
                    self.loop.executeLater { self.readAndProcess() }
                    break
                }
            }
        }
        self.flushOutput()
    }

    private func peerClosed() {
        switch self.state {
        case .idle:
            self.closeNow()
        case .readingHead, .readingBody:
            // RFC 9112 §6.2: an incomplete message is dropped, and so is the connection.
            self.closeNow()
        case .draining:
            self.closeNow()
        case .processing, .streaming, .closingAfterFlush:
            // A client may half-close after its request; answer, then close.
            self.peerHalfClosed = true
        case .closed:
            break
        }
    }

    // MARK: - Decoding

    private func processInput() {
        while self.socket != nil {
            switch self.state {
            case .idle, .readingHead, .readingBody:
                break
            default:
                return
            }
            if self.output.pendingBytes > self.server.configuration.maxBufferedOutputBytes { return }
            if !self.prefaceChecked {
                switch self.detectHTTP2Preface() {
                case .http1:
                    self.prefaceChecked = true
                case .http2:
                    self.switchToHTTP2(upgrade: nil)
                    return
                case .undecided:
                    if case .idle = self.state {
                        self.state = .readingHead(since: self.loop.now)
                        self.rearmTimer()
                    }
                    return
                }
            }
            if self.inputStart == self.input.count {
                self.resetInput()
                // A request without a body ends with no further input.
                if self.decoder.isAtRequestBoundary { return }
            }
            var bodyBytes: [UInt8] = []
            let outcome = self.input.withUnsafeBytes { raw in
                self.decoder.decode(UnsafeRawBufferPointer(rebasing: raw[self.inputStart...])) { bodyBytes.append(contentsOf: $0) }
            }
            if !bodyBytes.isEmpty, case .readingBody = self.state {
                if let decoder = self.pending?.bodyDecoder {
                    var failure: HTTPError?
                    bodyBytes.withUnsafeBytes { bytes in
                        do throws(HTTPError) { try decoder.append(bytes) } catch { failure = error }
                    }
                    if let failure, let head = self.pending?.head {
                        // A bomb or a corrupt stream: answer now; the rest of the body is not read.
                        self.respondAndClose(failure.response, head: head)
                        return
                    }
                } else {
                    // In place: no other reference to the body exists, so nothing is copied.
                    self.pending?.body.append(contentsOf: bodyBytes)
                }
            }
            switch outcome {
            case .needMore(let consumed):
                self.inputStart += consumed
                if case .idle = self.state, self.inputStart < self.input.count {
                    self.state = .readingHead(since: self.loop.now)
                    self.rearmTimer()
                }
                if self.inputStart == self.input.count { self.resetInput() }
                return
            case .head(let head, let decision, let consumed):
                self.inputStart += consumed
                self.receivedHead(head, decision)
            case .end(let consumed):
                self.inputStart += consumed
                self.receivedRequest()
            case .failed(let error):
                self.respondToProtocolError(error)
                return
            }
        }
    }

    private func resetInput() {
        // Drop the buffer entirely when it grew large, so idle connections hold nothing.
        self.input.removeAll(keepingCapacity: self.input.capacity <= 4096)
        self.inputStart = 0
    }

    private func receivedHead(_ head: HTTPRequestHead, _ decision: HTTP1BodyFraming.Decision) {
        self.requestsServed += 1
        let plan = RequestDispatch.plan(for: head, router: self.server.router, configuration: self.server.configuration)
        let (match, earlyError, limit) = (plan.match, plan.earlyError, plan.bodyLimit)
        self.decoder.bodyLimit = limit
        if case .contentLength(let length) = decision.framing, length > limit {
            // Refuse before a single body byte is read, and before any 100 Continue.
            self.respondToProtocolError(HTTP1ParseError(.contentTooLarge, "the request body (\(length) bytes) is larger than this endpoint accepts (\(limit) bytes)"), head: head)
            return
        }
        var bodyDecoder: RequestBodyDecoder?
        if decision.framing != .none, earlyError == nil {
            switch RequestBodyDecoder.make(for: head.fields, limit: limit) {
            case .success(let decoder):
                bodyDecoder = decoder
            case .failure(let error):
                // 415: the body will not be read (and no 100 Continue invites it).
                self.respondAndClose(error.response, head: head)
                return
            }
        }
        if decision.expectsContinue {
            if let earlyError {
                // The client has not sent the body yet; answer now and close rather than wait for it.
                self.queueResponse(earlyError.response, head: head, keepAlive: false, route: nil, startedAt: self.loop.now)
                self.state = .closingAfterFlush
                return
            }
            self.output.append(HTTP1ResponseEncoder.continueResponse)
        }
        let now = self.loop.now
        self.pending = PendingRequest(head: head, decision: decision, match: match, earlyError: earlyError, bodyDecoder: bodyDecoder, startedAt: now)
        self.state = .readingBody(since: now)
        self.rearmTimer()
    }

    private func receivedRequest() {
        // Moved out, not copied: the state changes below, and nothing reads `pending` after.
        guard case .readingBody = self.state, let pending = self.pending.take() else { return }
        let configuration = self.server.configuration
        // An unknown method may be the tail of a request another parser framed differently:
        // answer it, but trust nothing after it on this connection.
        let keepAlive = pending.decision.keepAlive && !self.peerHalfClosed
            && self.requestsServed < configuration.maxRequestsPerConnection && !self.context.isShuttingDown
            && pending.head.method.isImplemented
        if configuration.http2.upgrade, pending.decision.framing == .none, pending.head.method == .get || pending.head.method == .head,
           pending.head.fields.contains("upgrade"), !self.context.isShuttingDown,
           let settings = H2CUpgrade.settingsPayload(for: pending.head, framing: pending.decision.framing)
        {
            self.output.append(H2CUpgrade.switchingProtocols)
            self.switchToHTTP2(upgrade: HTTP2ServerConnection.Upgrade(settingsPayload: settings, head: pending.head))
            return
        }
        if let error = pending.earlyError {
            self.queueResponse(error.response, head: pending.head, keepAlive: keepAlive, route: nil, startedAt: pending.startedAt)
            self.finishResponse(keepAlive: keepAlive)
            return
        }
        guard case .found(let route, let parameters) = pending.match else { return }
        // Built in place (not from copies of the head and body): every copy of a request
        // retains its strings and arrays once more.
        var request = HTTPRequest(head: pending.head, body: pending.body, parameters: parameters, remoteAddress: self.remoteAddress)
        if let decoder = pending.bodyDecoder {
            do {
                request.body = try decoder.finish()
            } catch {
                self.queueResponse(error.response, head: pending.head, keepAlive: keepAlive, route: nil, startedAt: pending.startedAt)
                self.finishResponse(keepAlive: keepAlive)
                return
            }
            // The handler sees the decoded body; the field no longer describes it.
            request.head.fields.remove("content-encoding")
        }
        switch RequestDispatch.start(route.handler, request, logger: self.server.logger) {
        case .respond(let response):
            self.deliver(response, head: pending.head, keepAlive: keepAlive, route: route.pattern, startedAt: pending.startedAt)
        case .run(let handler):
            self.state = .processing(keepAlive: keepAlive)
            self.rearmTimer()
            self.handlerTask = Self.startHandler(
                handler, request: request, connection: LoopBound(self), loop: self.loop, server: self.server,
                keepAlive: keepAlive, route: route.pattern, startedAt: pending.startedAt
            )
        }
    }

    private static func startHandler(
        _ handler: @escaping @Sendable (HTTPRequest) async throws -> HTTPResponse,
        request: HTTPRequest,
        connection: LoopBound<HTTP1ServerConnection>,
        loop: EventLoop,
        server: ServerContext,
        keepAlive: Bool,
        route: String,
        startedAt: Instant
    ) -> Task<Void, Never> {
        Task {
            let produced = await RequestDispatch.run(handler, request, logger: server.logger)
            // Compress here, off the event loop.
            let response = ResponseCompression.apply(produced, method: request.method, requestFields: request.fields, configuration: server.configuration.compression)
            loop.execute {
                connection.value.handlerFinished(response, head: request.head, keepAlive: keepAlive, route: route, startedAt: startedAt)
            }
        }
    }

    private func handlerFinished(_ response: HTTPResponse, head: HTTPRequestHead, keepAlive: Bool, route: String, startedAt: Instant) {
        self.handlerTask = nil
        guard case .processing = self.state, self.socket != nil else { return }
        // The peer may have half-closed while the handler ran; keep-alive is decided now.
        self.deliver(response, head: head, keepAlive: keepAlive && !self.peerHalfClosed && !self.context.isShuttingDown, route: route, startedAt: startedAt, compressed: true)
        self.processInput()
        self.readAndProcess()
    }

    // MARK: - Responding

    /// Queues `response` and either finishes the exchange or starts its streaming body.
    private func deliver(_ response: HTTPResponse, head: HTTPRequestHead, keepAlive: Bool, route: String?, startedAt: Instant, compressed: Bool = false) {
        let response = compressed ? response : ResponseCompression.apply(response, method: head.method, requestFields: head.fields, configuration: self.server.configuration.compression)
        var keepAlive = keepAlive
        let isStream: Bool
        if case .stream = response.body.storage { isStream = true } else { isStream = false }
        // HTTP/1.0 has no chunked coding: an unknown-length stream ends with the connection.
        if isStream, response.body.knownLength == nil, head.version == .http1_0 { keepAlive = false }
        let framing = self.queueResponse(response, head: head, keepAlive: keepAlive, route: route, startedAt: startedAt)
        if case .stream(_, let producer) = response.body.storage, head.method != .head, !response.status.forbidsBody {
            var remaining: Int?
            if case .contentLength(let length) = framing { remaining = length }
            self.state = .streaming(StreamingResponse(keepAlive: keepAlive, chunked: framing == .chunked, remaining: remaining))
            self.rearmTimer()
            let writer = ResponseBodyWriter(sink: HTTP1BodySink(connection: self))
            self.handlerTask = Task {
                do {
                    try await producer(writer)
                    writer.sink.finish(error: nil)
                } catch {
                    writer.sink.finish(error: error)
                }
            }
            return
        }
        self.finishResponse(keepAlive: keepAlive)
    }

    /// Serialises the head (and a fixed body) into the output queue; returns the framing used.
    @discardableResult
    private func queueResponse(_ response: HTTPResponse, head: HTTPRequestHead, keepAlive: Bool, route: String?, startedAt: Instant) -> HTTP1ResponseEncoder.Framing {
        let framing: HTTP1ResponseEncoder.Framing
        if response.status.forbidsBody {
            framing = .bodiless
        } else if let length = response.body.knownLength {
            framing = .contentLength(length)
        } else if head.version == .http1_0 {
            framing = .untilClose
        } else {
            framing = head.method == .head ? .bodiless : .chunked
        }
        let date = self.context.dateCache.headerLine()
        self.output.withLastSegment(minimumCapacity: 256) { bytes in
            HTTP1ResponseEncoder.encodeHead(
                status: response.status, fields: response.fields, version: head.version,
                framing: framing, keepAlive: keepAlive, date: date, into: &bytes
            )
        }
        if head.method != .head, !response.status.forbidsBody, let body = response.body.bytes {
            self.output.append(body)
        }
        if let observer = self.server.observer {
            observer(HTTPRequestRecord(
                method: head.method, path: String(head.path), route: route, status: response.status.code,
                version: head.version, duration: self.loop.now.duration(since: startedAt)
            ))
        }
        return framing
    }

    private func finishResponse(keepAlive: Bool) {
        if keepAlive {
            self.state = .idle(since: self.loop.now)
        } else {
            self.state = .closingAfterFlush
        }
        self.rearmTimer()
        self.flushOutput()
    }

    /// Answers `response` with `Connection: close` without reading the rest of the request.
    private func respondAndClose(_ response: HTTPResponse, head: HTTPRequestHead) {
        self.queueResponse(response, head: head, keepAlive: false, route: nil, startedAt: self.loop.now)
        // A body being read is abandoned: its bytes and decoder go now, not at the close.
        self.pending = nil
        self.state = .closingAfterFlush
        self.rearmTimer()
        self.flushOutput()
    }

    private func respondToProtocolError(_ error: HTTP1ParseError, head: HTTPRequestHead? = nil) {
        let problem = HTTPError(error.status, error.reason)
        let responseHead = head ?? HTTPRequestHead(method: .get, target: "/", version: .http1_1)
        self.queueResponse(problem.response, head: responseHead, keepAlive: false, route: nil, startedAt: self.loop.now)
        self.pending = nil
        self.state = .closingAfterFlush
        self.rearmTimer()
        self.flushOutput()
    }

    // MARK: - Streaming bodies

    fileprivate func enqueueStreamChunk(_ bytes: [UInt8], completion: @escaping @Sendable (Error?) -> Void) {
        guard case .streaming(var stream) = self.state, self.socket != nil else {
            completion(ConnectionClosedError())
            return
        }
        if let remaining = stream.remaining {
            guard bytes.count <= remaining else {
                self.server.logger.warning("a streaming body wrote more than its Content-Length; closing the connection")
                completion(ConnectionClosedError())
                self.closeNow()
                return
            }
            stream.remaining = remaining - bytes.count
            self.state = .streaming(stream)
        }
        if stream.chunked {
            self.output.withLastSegment(minimumCapacity: 16) { HTTP1ResponseEncoder.appendChunkHeader(length: bytes.count, to: &$0) }
            self.output.append(bytes)
            self.output.append(HTTP1ResponseEncoder.crlf)
        } else {
            self.output.append(bytes)
        }
        self.flushOutput()
        if self.socket == nil {
            completion(ConnectionClosedError())
        } else if self.output.pendingBytes <= self.server.configuration.maxBufferedOutputBytes {
            completion(nil)
        } else {
            self.streamWaiter = completion
            self.rearmTimer()
        }
    }

    fileprivate func finishStream(error: Error?) {
        self.handlerTask = nil
        guard case .streaming(let stream) = self.state, self.socket != nil else { return }
        if let error {
            // The body is incomplete: closing without the last chunk is how the client learns.
            if !(error is ConnectionClosedError) {
                self.server.logger.warning("a streaming response body failed", metadata: ["error": "\(error)"])
            }
            self.closeAfterFlushingWhatIsQueued()
            return
        }
        if let remaining = stream.remaining, remaining > 0 {
            self.server.logger.warning("a streaming body ended \(remaining) bytes short of its Content-Length; closing the connection")
            self.closeAfterFlushingWhatIsQueued()
            return
        }
        if stream.chunked { self.output.append(HTTP1ResponseEncoder.lastChunk) }
        self.finishResponse(keepAlive: stream.keepAlive && !self.peerHalfClosed && !self.context.isShuttingDown)
        self.processInput()
        self.readAndProcess()
    }

    private func closeAfterFlushingWhatIsQueued() {
        self.state = .closingAfterFlush
        self.rearmTimer()
        self.flushOutput()
    }

    // MARK: - Writing

    private func flushOutput() {
        guard self.socket != nil, self.mayWrite, !self.output.isEmpty else {
            if self.output.isEmpty { self.outputDrained() }
            return
        }
        do {
            switch try self.output.flush(to: self.descriptor) {
            case .drained:
                self.lastWriteProgress = self.loop.now
                self.outputDrained()
            case .wouldBlock:
                self.mayWrite = false
                self.lastWriteProgress = self.loop.now
                if self.loop.triggerMode == .level { self.loop.reregister(self.descriptor, interest: [.readable, .writable, .readHangup]) }
                self.rearmTimer()
            }
        } catch {
            // The peer reset the connection; nothing more can be delivered.
            self.closeNow()
        }
    }

    private func outputDrained() {
        // After a switch to HTTP/2 the descriptor belongs to the new connection.
        guard self.socket != nil else { return }
        if self.loop.triggerMode == .level, !self.mayWrite {
            self.mayWrite = true
            self.loop.reregister(self.descriptor, interest: [.readable, .readHangup])
        }
        if let waiter = self.streamWaiter {
            self.streamWaiter = nil
            waiter(nil)
        }
        switch self.state {
        case .closingAfterFlush:
            self.startDraining()
        case .idle where self.context.isShuttingDown || self.peerHalfClosed:
            self.startDraining()
        case .idle, .readingHead, .readingBody:
            if self.inputStart < self.input.count { self.processInput() }
            // Reading may have stopped for back-pressure; resume unless a read loop is active.
            if self.mayRead, !self.isReading { self.loop.executeLater { self.readAndProcess() } }
        default:
            break
        }
    }

    /// Half-closes and reads until the client closes too, so our last response is not wiped out
    /// by a reset (RFC 9112 §9.6).
    private func startDraining() {
        guard self.socket != nil else { return }
        if self.peerHalfClosed {
            self.closeNow()
            return
        }
        try? Posix.shutdown(self.descriptor, how: CInt(SHUT_WR))
        self.state = .draining(deadline: self.loop.now + Self.drainPeriod)
        self.rearmTimer()
        self.mayRead = true
        self.readAndProcess()
    }

    // MARK: - Timeouts

    /// The instant at which the current state has waited too long.
    private var deadline: Instant {
        let server = self.server
        var deadline: Instant
        switch self.state {
        case .idle(let since):
            deadline = since.advanced(byNanoseconds: self.requestsServed == 0 ? server.headerTimeout : server.idleTimeout)
        case .readingHead(let since):
            deadline = since.advanced(byNanoseconds: server.headerTimeout)
        case .readingBody(let since):
            deadline = since.advanced(byNanoseconds: server.bodyRateGracePeriod)
            let now = self.loop.now
            if now > deadline { deadline = now.advanced(byNanoseconds: 1_000_000_000) }
        case .processing, .streaming, .closingAfterFlush:
            deadline = .distantFuture
        case .draining(let drainDeadline):
            deadline = drainDeadline
        case .closed:
            return .distantFuture
        }
        if !self.output.isEmpty {
            deadline = min(deadline, self.lastWriteProgress.advanced(byNanoseconds: server.writeStallTimeout))
        }
        return deadline
    }

    private func rearmTimer() {
        let deadline = self.deadline
        if let timer = self.timer, !timer.isCancelled, timer.deadline <= deadline {
            return  // it fires early and re-arms; cheaper than rescheduling on every request
        }
        self.timer?.cancel()
        guard deadline < .distantFuture else {
            self.timer = nil
            return
        }
        // A strong capture: `closeNow` and `switchToHTTP2` cancel the timer, which drops the
        // closure and its reference.
        self.timer = self.loop.schedule(at: deadline) { self.timerFired() }
    }

    private func timerFired() {
        self.timer = nil
        guard self.socket != nil else { return }
        let now = Instant.now()
        let configuration = self.server.configuration
        if !self.output.isEmpty, now >= self.lastWriteProgress.advanced(byNanoseconds: self.server.writeStallTimeout) {
            self.server.logger.debug("closing a connection whose peer stopped reading")
            self.closeNow()
            return
        }
        switch self.state {
        case .idle(let since):
            if now >= since.advanced(byNanoseconds: self.requestsServed == 0 ? self.server.headerTimeout : self.server.idleTimeout) {
                self.closeNow()
                return
            }
        case .readingHead(let since):
            if now >= since.advanced(byNanoseconds: self.server.headerTimeout) {
                self.respondToProtocolError(HTTP1ParseError(.requestTimeout, "the request head did not arrive within \(configuration.headerTimeout)"))
                return
            }
        case .readingBody(let since):
            let elapsed = now.duration(since: since)
            if elapsed >= configuration.bodyRateGracePeriod {
                let required = Double(configuration.minimumBodyBytesPerSecond) * elapsed.seconds
                if Double(self.pending?.body.count ?? 0) < required {
                    self.respondToProtocolError(
                        HTTP1ParseError(.requestTimeout, "the request body arrived slower than \(configuration.minimumBodyBytesPerSecond) bytes per second"),
                        head: self.pending?.head
                    )
                    return
                }
            }
        case .draining(let deadline):
            if now >= deadline {
                self.closeNow()
                return
            }
        case .processing, .streaming, .closingAfterFlush, .closed:
            break
        }
        self.rearmTimer()
    }

    // MARK: - Closing

    func beginGracefulClose() {
        switch self.state {
        case .idle:
            self.closeNow()
        case .readingHead, .readingBody, .processing, .streaming:
            break  // the response will carry Connection: close
        case .closingAfterFlush, .draining, .closed:
            break
        }
    }

    func abort() {
        self.closeNow()
    }

    // MARK: - Switching to HTTP/2

    private enum PrefaceCheck {
        case http1, http2, undecided
    }

    /// Whether the connection starts with the HTTP/2 client preface (RFC 9113 §3.4).
    private func detectHTTP2Preface() -> PrefaceCheck {
        let preface = Self.http2Preface
        let available = self.input.count - self.inputStart
        let compared = min(available, preface.count)
        for index in 0..<compared where self.input[self.inputStart + index] != preface[index] {
            return .http1
        }
        return compared == preface.count ? .http2 : .undecided
    }

    private static let http2Preface: [UInt8] = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    /// Hands the socket, the unprocessed input and the queued output to an HTTP/2 connection.
    private func switchToHTTP2(upgrade: HTTP2ServerConnection.Upgrade?) {
        guard let socket = self.socket.take() else { return }
        self.timer?.cancel()
        self.timer = nil
        self.loop.deregister(self.descriptor)
        let buffered = self.inputStart < self.input.count ? Array(self.input[self.inputStart...]) : []
        let pending = self.output
        self.output = OutputQueue()
        self.input = []
        self.inputStart = 0
        self.state = .closed
        let connection = HTTP2ServerConnection(
            socket: socket, remoteAddress: self.remoteAddress, context: self.context, server: self.server,
            initialInput: buffered, pendingOutput: pending, upgrade: upgrade
        )
        // Add the new connection before removing this one, so a shutdown in progress never
        // sees the loop without connections in between.
        connection.start()
        self.context.remove(self)
    }

    private func closeNow() {
        guard let socket = self.socket.take() else { return }
        self.timer?.cancel()
        self.timer = nil
        self.loop.deregister(self.descriptor)
        socket.close()
        self.state = .closed
        self.pending = nil
        self.output.removeAll()
        self.input = []
        self.handlerTask?.cancel()
        self.handlerTask = nil
        if let waiter = self.streamWaiter {
            self.streamWaiter = nil
            waiter(ConnectionClosedError())
        }
        self.server.openConnections.subtract(1, ordering: .relaxed)
        self.context.openSockets.subtract(1, ordering: .relaxed)
        self.context.remove(self)
    }
}

/// Delivers a streaming body's bytes from its task to the connection's loop.
private final class HTTP1BodySink: ResponseBodySink {
    private let connection: LoopBound<HTTP1ServerConnection>
    private let loop: EventLoop

    init(connection: HTTP1ServerConnection) {
        self.connection = LoopBound(connection)
        self.loop = connection.loopForSink
    }

    func enqueue(_ bytes: [UInt8], completion: @escaping @Sendable (Error?) -> Void) {
        let connection = self.connection
        // A loop that has stopped has closed the connection: the producer learns it at once.
        if !self.loop.execute({ connection.value.enqueueStreamChunk(bytes, completion: completion) }) {
            completion(ConnectionClosedError())
        }
    }

    func finish(error: Error?) {
        let connection = self.connection
        self.loop.execute { connection.value.finishStream(error: error) }
    }
}

extension HTTP1ServerConnection {
    fileprivate var loopForSink: EventLoop { self.context.loop }
}
