// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

import Sockets

/// Responses: the head goes to nghttp2 at once; the body stays here until nghttp2 pulls it
/// through the data provider, as flow control and the output cap allow.
extension HTTP2ServerConnection {
    /// Submits `response` on `stream`; a streaming body starts producing now.
    func respond(_ stream: HTTP2Stream, _ response: HTTPResponse, route: String?, compressed: Bool = false) {
        var response = response
        if !compressed, let head = stream.head {
            response = ResponseCompression.apply(response, method: head.method, requestFields: head.fields, configuration: self.server.configuration.compression)
        }
        if let observer = self.server.observer {
            observer(HTTPRequestRecord(
                method: stream.head?.method ?? HTTPMethod(rawValue: stream.method ?? "?"), path: String(stream.head?.path ?? ""),
                route: route, status: response.status.code, version: .http2, duration: self.loop.now.duration(since: stream.startedAt)
            ))
        }
        let bodyAllowed = !stream.isHeadRequest && !response.status.forbidsBody
        self.headerBlock.removeAll()
        self.headerBlock.appendStatus(response.status.code)
        for field in response.fields { self.headerBlock.append(field: field) }
        if !response.status.forbidsBody, let length = response.body.knownLength {
            self.headerBlock.append(lowercaseName: "content-length", decimal: length)
        }
        self.headerBlock.append(lowercaseName: "date", value: self.context.dateCache.value())

        var producer: ResponseBody.Producer?
        var hasBody = false
        if bodyAllowed {
            switch response.body.storage {
            case .bytes(let bytes):
                if !bytes.isEmpty {
                    stream.responseBody = HTTP2BodyBuffer(complete: bytes)
                    hasBody = true
                }
            case .stream(let length, let body):
                if length != 0 {
                    stream.remainingLength = length
                    producer = body
                    hasBody = true
                }
            }
        }
        stream.phase = .responding
        stream.lastBodyProgress = self.loop.now
        guard self.session.submitResponse(streamID: stream.id, head: self.headerBlock, hasBody: hasBody) else {
            // The stream closed meanwhile (the client reset it); nothing to answer.
            return
        }
        if let producer {
            stream.isStreamingBody = true
            let writer = ResponseBodyWriter(sink: HTTP2BodySink(connection: self, streamID: stream.id))
            stream.task = Task {
                do {
                    try await producer(writer)
                    writer.sink.finish(error: nil)
                } catch {
                    writer.sink.finish(error: error)
                }
            }
        }
    }

    /// Answers before the request has ended (or right as it ends): 413, 415, 431, 408…
    /// Further DATA is dropped; once the response is out the upload is stopped with
    /// RST_STREAM NO_ERROR.
    func respondEarly(_ stream: HTTP2Stream, _ response: HTTPResponse) {
        stream.answeredEarly = !stream.requestEnded
        self.releaseRequestBody(stream)
        self.respond(stream, response, route: nil)
    }

    // MARK: - Body data provider

    func sessionReadBody(streamID: Int32, into buffer: UnsafeMutableRawBufferPointer) -> HTTP2Session.BodyRead {
        guard let stream = self.stream(streamID) else { return .failed }
        let count = stream.responseBody.read(into: buffer)
        if count > 0 {
            stream.lastBodyProgress = self.loop.now
            if stream.isStreamingBody {
                self.bufferedResponseBytes -= count
                self.releaseWriters(of: stream)
            }
        }
        if stream.responseBody.count == 0 {
            if stream.responseBody.hasFailed { return count > 0 ? .bytes(count: count, endOfStream: false) : .failed }
            if stream.responseBody.isComplete { return .bytes(count: count, endOfStream: true) }
            if count == 0 {
                stream.isDeferred = true
                return .deferred
            }
        }
        return .bytes(count: count, endOfStream: false)
    }

    private var perStreamCap: Int { self.configuration.maxBufferedBytesPerStream }
    private var perConnectionCap: Int { self.configuration.maxBufferedBytesPerConnection }

    /// Lets writers continue once the buffers they wait on have room.
    private func releaseWriters(of stream: HTTP2Stream) {
        if let waiter = stream.writerWaiter, stream.responseBody.count <= self.perStreamCap, self.bufferedResponseBytes <= self.perConnectionCap {
            stream.writerWaiter = nil
            waiter(nil)
        }
        if self.writersBlockedByConnection, self.bufferedResponseBytes <= self.perConnectionCap {
            self.writersBlockedByConnection = false
            for other in self.streams.values where other.writerWaiter != nil && other.responseBody.count <= self.perStreamCap {
                let waiter = other.writerWaiter!
                other.writerWaiter = nil
                waiter(nil)
            }
        }
    }

    // MARK: - Streaming bodies

    fileprivate func enqueueStreamChunk(streamID: Int32, _ bytes: [UInt8], completion: @escaping @Sendable (Error?) -> Void) {
        guard self.socket != nil, let stream = self.streams[streamID], stream.phase == .responding,
              !stream.responseBody.isComplete, !stream.responseBody.hasFailed
        else {
            completion(ConnectionClosedError())
            return
        }
        if let remaining = stream.remainingLength {
            guard bytes.count <= remaining else {
                self.server.logger.warning("a streaming body wrote more than its Content-Length; resetting the stream")
                stream.responseBody.hasFailed = true
                self.resume(stream)
                completion(ConnectionClosedError())
                self.sendPass()
                return
            }
            stream.remainingLength = remaining - bytes.count
        }
        stream.responseBody.append(bytes)
        self.bufferedResponseBytes += bytes.count
        self.resume(stream)
        self.sendPass()
        guard self.socket != nil, self.streams[streamID] === stream else {
            completion(ConnectionClosedError())
            return
        }
        if stream.responseBody.count <= self.perStreamCap, self.bufferedResponseBytes <= self.perConnectionCap {
            completion(nil)
        } else {
            stream.writerWaiter = completion
            if self.bufferedResponseBytes > self.perConnectionCap { self.writersBlockedByConnection = true }
        }
    }

    fileprivate func finishStream(streamID: Int32, error: Error?) {
        guard self.socket != nil, let stream = self.streams[streamID], stream.phase == .responding else { return }
        stream.task = nil
        if let error {
            if !(error is ConnectionClosedError) {
                self.server.logger.warning("a streaming response body failed", metadata: ["error": "\(error)"])
            }
            stream.responseBody.hasFailed = true
        } else if let remaining = stream.remainingLength, remaining > 0 {
            self.server.logger.warning("a streaming body ended \(remaining) bytes short of its Content-Length; resetting the stream")
            stream.responseBody.hasFailed = true
        } else {
            stream.responseBody.isComplete = true
        }
        self.resume(stream)
        self.sendPass()
    }

    /// Puts a deferred body back into nghttp2's queue.
    private func resume(_ stream: HTTP2Stream) {
        if stream.isDeferred {
            stream.isDeferred = false
            self.session.resumeData(streamID: stream.id)
        }
    }
}

/// Delivers a streaming body's bytes from its task to the connection's loop.
private final class HTTP2BodySink: ResponseBodySink {
    private let connection: LoopBound<HTTP2ServerConnection>
    private let loop: EventLoop
    private let streamID: Int32

    init(connection: HTTP2ServerConnection, streamID: Int32) {
        self.connection = LoopBound(connection)
        self.loop = connection.loop
        self.streamID = streamID
    }

    func enqueue(_ bytes: [UInt8], completion: @escaping @Sendable (Error?) -> Void) {
        let connection = self.connection
        let streamID = self.streamID
        // A loop that has stopped has closed the connection: the producer learns it at once.
        if !self.loop.execute({ connection.value.enqueueStreamChunk(streamID: streamID, bytes, completion: completion) }) {
            completion(ConnectionClosedError())
        }
    }

    func finish(error: Error?) {
        let connection = self.connection
        let streamID = self.streamID
        self.loop.execute { connection.value.finishStream(streamID: streamID, error: error) }
    }
}
