// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import Sockets

/// Requests: what nghttp2 reports while it decodes input, turned into streams, heads, bodies
/// and handler calls.
extension HTTP2ServerConnection: HTTP2SessionDelegate {
    func sessionBeginRequest(streamID: Int32) {
        let now = self.loop.now
        if self.streams.isEmpty { self.nextSweep = now + Self.sweepInterval }
        let stream = HTTP2Stream(id: streamID, now: now)
        self.streams[streamID] = stream
        self.lastStream = stream
        self.streamsServed += 1
        self.lastStreamActivity = now
    }

    func sessionHeader(streamID: Int32, name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) -> HTTP2Session.HeaderVerdict {
        guard let stream = self.stream(streamID) else { return .accept }
        // RFC 9113 §6.5.2 accounting; 32 bytes per field so that empty fields cost too.
        stream.headerListBytes += name.count + value.count + 32
        stream.headerCount += 1
        if stream.headerListTooLarge || stream.headerListBytes > self.configuration.maxHeaderListBytes || stream.headerCount > self.configuration.maxHeaderFields {
            stream.headerListTooLarge = true
            // HPACK lets a client send a huge list for a few bytes; past four times the budget
            // stop decoding it for this stream at all.
            if stream.headerListBytes > 4 * self.configuration.maxHeaderListBytes { return .resetStream }
            return .accept
        }
        // Trailers are counted against the budget but not kept.
        guard stream.phase == .receivingHeaders else { return .accept }
        if name.first == UInt8(ascii: ":") {
            if Self.equals(name, ":method") {
                stream.method = String(decoding: value, as: UTF8.self)
            } else if Self.equals(name, ":path") {
                stream.target = String(decoding: value, as: UTF8.self)
            } else if Self.equals(name, ":authority") {
                stream.authority = String(decoding: value, as: UTF8.self)
            }
            // :scheme is not needed (the server knows it), :protocol is not supported.
            return .accept
        }
        stream.fields.append(name: String(decoding: name, as: UTF8.self), value: String(decoding: value, as: UTF8.self))
        return .accept
    }

    func sessionFrameReceived(_ frame: HTTP2Session.Frame) {
        switch frame.kind {
        case .headers:
            // This may come after the stream closed (nghttp2 documents it): look it up again.
            guard let stream = self.stream(frame.streamID) else { return }
            if stream.phase == .receivingHeaders {
                self.headersComplete(stream, endStream: frame.endsStream)
            } else if frame.endsStream {
                self.requestEnded(stream)
            }
        case .data:
            if frame.endsStream, let stream = self.stream(frame.streamID) { self.requestEnded(stream) }
        case .ping:
            if frame.isAcknowledgement { self.perform(self.shutdown.pingAcknowledged(payload: frame.pingPayload)) }
        default:
            break
        }
    }

    func sessionData(streamID: Int32, bytes: UnsafeRawBufferPointer) {
        guard let stream = self.stream(streamID), stream.phase == .receivingBody, !stream.answeredEarly, let plan = stream.plan else { return }
        stream.receivedBodyBytes += bytes.count
        if self.bufferedRequestBytes + bytes.count > self.configuration.maxBufferedRequestBytesPerConnection {
            // Too many large uploads at once on one connection: this one may retry later.
            stream.answeredEarly = true
            self.releaseRequestBody(stream)
            self.resetStream(stream, .refusedStream)
            return
        }
        if let decoder = stream.bodyDecoder {
            let before = decoder.decodedCount
            do {
                try decoder.append(bytes)
            } catch {
                self.respondEarly(stream, error.response)
                return
            }
            self.bufferedRequestBytes += decoder.decodedCount - before
        } else {
            guard stream.body.count + bytes.count <= plan.bodyLimit else {
                self.respondEarly(stream, HTTPError(.contentTooLarge, "the request body is larger than this endpoint accepts (\(plan.bodyLimit) bytes)").response)
                return
            }
            stream.body.append(contentsOf: bytes)
            self.bufferedRequestBytes += bytes.count
        }
    }

    func sessionStreamClosed(streamID: Int32, errorCode: UInt32) {
        if self.lastStream?.id == streamID { self.lastStream = nil }
        guard let stream = self.streams.removeValue(forKey: streamID) else { return }
        stream.task?.cancel()
        stream.task = nil
        self.releaseRequestBody(stream)
        if stream.isStreamingBody { self.bufferedResponseBytes -= stream.responseBody.count }
        if let waiter = stream.writerWaiter {
            stream.writerWaiter = nil
            waiter(ConnectionClosedError())
        }
        self.lastStreamActivity = self.loop.now
    }

    func sessionFrameSent(_ frame: HTTP2Session.Frame) {
        switch frame.kind {
        case .resetStream:
            if !self.resetBudget.spend(now: self.loop.now), !self.terminatedForResets {
                self.terminatedForResets = true
                self.server.logger.debug("ending an HTTP/2 connection that made the server reset too many streams")
                self.session.terminate(errorCode: .enhanceYourCalm)
            }
        case .headers, .data:
            // A response that went out before its request ended: stop the upload now
            // (RFC 9113 §8.1, RST_STREAM NO_ERROR).
            if frame.endsStream, let stream = self.stream(frame.streamID), stream.answeredEarly, !stream.requestEnded {
                self.session.submitResetStream(streamID: stream.id, errorCode: .noError)
            }
        default:
            break
        }
    }

    // MARK: - Request flow

    private func headersComplete(_ stream: HTTP2Stream, endStream: Bool) {
        stream.requestEnded = endStream
        stream.phase = .receivingBody
        if stream.headerListTooLarge {
            let limit = self.configuration.maxHeaderListBytes
            self.respondEarly(stream, HTTPError(.requestHeaderFieldsTooLarge, "the request header list is larger than \(limit) bytes or \(self.configuration.maxHeaderFields) fields").response)
            return
        }
        guard let method = stream.method, let target = stream.target else {
            // Only CONNECT comes without :path once nghttp2 has validated the head.
            self.respondEarly(stream, HTTPError(.notImplemented, "the method \(stream.method ?? "?") is not implemented by this server").response)
            return
        }
        var fields = stream.fields
        stream.fields = HTTPFields()
        if let authority = stream.authority, !fields.contains("host") { fields.append(name: "Host", value: authority) }
        self.beginExchange(stream, head: HTTPRequestHead(method: HTTPMethod(rawValue: method), target: target, version: .http2, fields: fields))
    }

    /// Routes a complete head; reads the body next unless the request already ended.
    private func beginExchange(_ stream: HTTP2Stream, head: HTTPRequestHead) {
        let plan = RequestDispatch.plan(for: head, router: self.server.router, configuration: self.server.configuration)
        stream.head = head
        stream.plan = plan
        stream.isHeadRequest = head.method == .head
        if stream.requestEnded {
            self.requestEnded(stream)
            return
        }
        if let declared = head.fields["content-length"], let length = HTTP1BodyFraming.parseContentLength(declared), length > plan.bodyLimit {
            // Refuse before a single body byte is kept.
            self.respondEarly(stream, HTTPError(.contentTooLarge, "the request body (\(length) bytes) is larger than this endpoint accepts (\(plan.bodyLimit) bytes)").response)
            return
        }
        if plan.earlyError == nil {
            switch RequestBodyDecoder.make(for: head.fields, limit: plan.bodyLimit) {
            case .success(let decoder):
                stream.bodyDecoder = decoder
            case .failure(let error):
                self.respondEarly(stream, error.response)
            }
        }
    }

    /// The client's END_STREAM arrived: run the handler (or answer the early error).
    private func requestEnded(_ stream: HTTP2Stream) {
        stream.requestEnded = true
        guard stream.phase == .receivingBody, !stream.answeredEarly, var head = stream.head, let plan = stream.plan else { return }
        var body = stream.body
        let decoder = stream.bodyDecoder
        self.releaseRequestBody(stream)
        if let error = plan.earlyError {
            self.respond(stream, error.response, route: nil)
            return
        }
        if let decoder {
            do {
                body = try decoder.finish()
            } catch {
                self.respond(stream, error.response, route: nil)
                return
            }
            // The handler sees the decoded body; the field no longer describes it.
            head.fields.remove("content-encoding")
        }
        guard case .found(let route, let parameters) = plan.match else { return }
        let request = HTTPRequest(head: head, body: body, parameters: parameters, remoteAddress: self.remoteAddress)
        switch RequestDispatch.start(route.handler, request, logger: self.server.logger) {
        case .respond(let response):
            self.respond(stream, response, route: route.pattern)
        case .run(let handler):
            stream.phase = .processing
            stream.task = Self.startHandler(
                handler, request: request, streamID: stream.id, connection: LoopBound(self), loop: self.loop,
                server: self.server, route: route.pattern
            )
        }
    }

    private static func startHandler(
        _ handler: @escaping @Sendable (HTTPRequest) async throws -> HTTPResponse,
        request: HTTPRequest,
        streamID: Int32,
        connection: LoopBound<HTTP2ServerConnection>,
        loop: EventLoop,
        server: ServerContext,
        route: String
    ) -> Task<Void, Never> {
        Task {
            let produced = await RequestDispatch.run(handler, request, logger: server.logger)
            // Compress here, off the event loop.
            let response = ResponseCompression.apply(produced, method: request.method, requestFields: request.fields, configuration: server.configuration.compression)
            loop.execute {
                connection.value.handlerFinished(streamID: streamID, response: response, route: route)
            }
        }
    }

    private func handlerFinished(streamID: Int32, response: HTTPResponse, route: String) {
        guard self.socket != nil, let stream = self.streams[streamID], stream.phase == .processing else { return }
        stream.task = nil
        self.respond(stream, response, route: route, compressed: true)
        self.sendPass()
    }

    // MARK: - Upgrade

    /// Stream 1 of an upgraded connection: the HTTP/1.1 request, already complete.
    func startUpgradedStream(_ upgrade: Upgrade) {
        guard self.session.upgrade(settingsPayload: upgrade.settingsPayload, isHeadRequest: upgrade.head.method == .head) else {
            self.sessionFailed("nghttp2 refused the HTTP2-Settings of an Upgrade request")
            return
        }
        let stream = HTTP2Stream(id: 1, now: self.loop.now)
        stream.requestEnded = true
        stream.phase = .receivingBody
        self.streams[1] = stream
        self.streamsServed += 1
        self.nextSweep = self.loop.now + Self.sweepInterval
        var head = upgrade.head
        head.version = .http2
        self.beginExchange(stream, head: head)
    }

    // MARK: - Helpers

    /// Forgets the request body bytes `stream` holds against the connection's budget.
    func releaseRequestBody(_ stream: HTTP2Stream) {
        self.bufferedRequestBytes -= stream.body.count + (stream.bodyDecoder?.decodedCount ?? 0)
        stream.body = []
        stream.bodyDecoder = nil
    }

    /// Sends RST_STREAM (counted against the reset budget when it leaves).
    func resetStream(_ stream: HTTP2Stream, _ code: HTTP2Session.ErrorCode) {
        self.session.submitResetStream(streamID: stream.id, errorCode: code)
    }

    /// The open stream `id`, if any.
    @inline(__always)
    func stream(_ id: Int32) -> HTTP2Stream? {
        if let cached = self.lastStream, cached.id == id { return cached }
        let found = self.streams[id]
        if found != nil { self.lastStream = found }
        return found
    }

    @inline(__always)
    static func equals(_ bytes: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        guard bytes.count == literal.utf8CodeUnitCount else { return false }
        return memcmp(bytes.baseAddress!, literal.utf8Start, bytes.count) == 0
    }
}
