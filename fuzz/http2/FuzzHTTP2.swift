// slipway — HTTP/2 input path fuzz target (libFuzzer): bytes → nghttp2 session → our callbacks
// SPDX-License-Identifier: Apache-2.0
//
// Compiled together with the session wrapper's sources (see fuzz/run-http2.sh): the real
// HTTP2Session, its C callbacks, HTTP2HeaderBlock, HTTP2BodyBuffer and H2CUpgrade, driven by
// a delegate that behaves like HTTP2ServerConnection (header-list budget, 431, responses
// with fixed, deferred and streamed bodies, resets, shutdown GOAWAY) and checks what the
// library reports against what HTTP/2 allows.
//
// libnghttp2 is the system library and not instrumented, so coverage guides only through
// our code; a "record" mode turns the input into well-framed frames so the fuzzer spends its
// time on frame semantics rather than on finding valid 9-byte frame headers.
//
// Input layout:
//   byte 0  bit 0: record mode (records → frames) instead of raw bytes
//           bit 1: omit the client preface (raw mode)
//           bit 2: h2c upgrade: the next byte n, then n bytes of base64url HTTP2-Settings
//           bits 3-4: body style: 0 fixed, 1 deferred then resumed, 2 streamed in pieces, 3 per stream
//           bit 5: graceful shutdown (notice, then final GOAWAY) half way through
//           bit 6: a small header-list budget (300 bytes, 8 fields)
//           bit 7: a send pass after every piece (else only at the end)
//   byte 1  piece size: 0 → the whole stream at once, else (byte % 97) + 1 bytes per receive
//   rest    raw mode: the connection's bytes after the preface
//           record mode: records [type][flags][stream][length][payload…], each serialised as
//           one frame (type & 0x0F; stream 0 → 0, s < 128 → 2s-1, else 2(s-127));
//           payload truncated at the end of the input

/// Fails the run with what led to the failure.
@inline(__always)
func invariant(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { preconditionFailure(message()) }
}

final class FuzzServer: HTTP2SessionDelegate {
    struct Stream {
        var headerBytes = 0
        var headerCount = 0
        var tooLarge = false
        var headersDone = false
        var ended = false
        var responded = false
        var body = HTTP2BodyBuffer()
        var deferred = false
        var eofSent = false
        var bodyBytesReceived = 0
    }

    let style: UInt8
    let budget: (bytes: Int, fields: Int)
    var streams: [Int32: Stream] = [:]
    var closed: Set<Int32> = []
    var highestBegun: Int32 = 0
    var resetsSent = 0
    var terminated = false
    unowned(unsafe) var session: HTTP2Session!
    var head = HTTP2HeaderBlock()

    init(style: UInt8, smallBudget: Bool) {
        self.style = style
        self.budget = smallBudget ? (300, 8) : (32 * 1024, 100)
    }

    func sessionBeginRequest(streamID: Int32) {
        invariant(streamID > 0 && streamID & 1 == 1, "a client stream with id \(streamID)")
        invariant(streamID > self.highestBegun, "stream \(streamID) began after \(self.highestBegun)")
        invariant(self.streams[streamID] == nil && !self.closed.contains(streamID), "stream \(streamID) began twice")
        self.highestBegun = streamID
        self.streams[streamID] = Stream()
    }

    func sessionHeader(streamID: Int32, name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) -> HTTP2Session.HeaderVerdict {
        invariant(self.streams[streamID] != nil, "a header for unknown stream \(streamID)")
        invariant(!name.isEmpty, "an empty header name")
        // nghttp2 validated the field (RFC 9113 §8.2): no uppercase, no controls in names.
        for (index, byte) in name.enumerated() {
            invariant(!(byte >= 0x41 && byte <= 0x5A), "uppercase in a header name")
            invariant(byte > 0x20 && byte != 0x7F && (byte != UInt8(ascii: ":") || index == 0), "a bad header name byte \(byte)")
        }
        for byte in value { invariant(byte != 0 && byte != 0x0A && byte != 0x0D, "a control byte in a header value") }
        self.streams[streamID]!.headerBytes += name.count + value.count + 32
        self.streams[streamID]!.headerCount += 1
        let stream = self.streams[streamID]!
        if stream.headerBytes > self.budget.bytes || stream.headerCount > self.budget.fields {
            self.streams[streamID]!.tooLarge = true
            if stream.headerBytes > 4 * self.budget.bytes { return .resetStream }
        }
        return .accept
    }

    func sessionFrameReceived(_ frame: HTTP2Session.Frame) {
        switch frame.kind {
        case .headers:
            guard self.streams[frame.streamID] != nil else { return }
            self.streams[frame.streamID]!.headersDone = true
            if frame.endsStream { self.requestEnded(frame.streamID) }
            else if self.streams[frame.streamID]!.tooLarge { self.respond(frame.streamID, status: 431) }
        case .data:
            if frame.endsStream, self.streams[frame.streamID] != nil { self.requestEnded(frame.streamID) }
        default:
            break
        }
    }

    func sessionData(streamID: Int32, bytes: UnsafeRawBufferPointer) {
        invariant(self.streams[streamID] != nil, "DATA for unknown stream \(streamID)")
        invariant(self.streams[streamID]!.headersDone, "DATA before the header block ended")
        self.streams[streamID]!.bodyBytesReceived += bytes.count
    }

    func sessionStreamClosed(streamID: Int32, errorCode: UInt32) {
        invariant(!self.closed.contains(streamID), "stream \(streamID) closed twice")
        self.closed.insert(streamID)
        self.streams[streamID] = nil
    }

    func sessionFrameSent(_ frame: HTTP2Session.Frame) {
        if frame.kind == .resetStream {
            self.resetsSent += 1
            if self.resetsSent > 100, !self.terminated {
                self.terminated = true
                self.session.terminate(errorCode: .enhanceYourCalm)
            }
        }
        if frame.kind == .data || frame.kind == .headers, frame.endsStream, frame.streamID > 0 {
            if let stream = self.streams[frame.streamID], stream.responded, !stream.ended {
                self.session.submitResetStream(streamID: frame.streamID, errorCode: .noError)
            }
        }
    }

    func sessionReadBody(streamID: Int32, into buffer: UnsafeMutableRawBufferPointer) -> HTTP2Session.BodyRead {
        guard var stream = self.streams[streamID] else {
            // nghttp2 may ask for a stream it is closing; the connection answers "failed".
            return .failed
        }
        invariant(stream.responded, "a body read for stream \(streamID) before its response")
        invariant(!stream.eofSent, "a body read for stream \(streamID) after its end")
        invariant(buffer.count > 0 && buffer.count <= 16_384, "a read window of \(buffer.count)")
        let count = stream.body.read(into: buffer)
        defer { self.streams[streamID] = stream }
        if stream.body.count == 0 {
            if stream.body.isComplete {
                stream.eofSent = true
                return .bytes(count: count, endOfStream: true)
            }
            if count == 0 {
                stream.deferred = true
                return .deferred
            }
        }
        return .bytes(count: count, endOfStream: false)
    }

    private func requestEnded(_ streamID: Int32) {
        guard var stream = self.streams[streamID], !stream.responded else { return }
        stream.ended = true
        self.streams[streamID] = stream
        self.respond(streamID, status: stream.tooLarge ? 431 : 200)
    }

    func respond(_ streamID: Int32, status: Int) {
        guard var stream = self.streams[streamID], !stream.responded else { return }
        let style = self.style == 3 ? UInt8(truncatingIfNeeded: streamID >> 1) % 3 : self.style
        let size = Int(streamID % 5) * 7_000
        self.head.removeAll()
        self.head.appendStatus(status)
        self.head.append(field: HTTPFields.Field(name: "Content-Type", value: "application/json"))
        self.head.append(field: HTTPFields.Field(name: "Connection", value: "close"))  // dropped
        if style == 0 { self.head.append(lowercaseName: "content-length", decimal: size) }
        let bytes = [UInt8](repeating: UInt8(ascii: "a"), count: size)
        switch style {
        case 0: stream.body = HTTP2BodyBuffer(complete: bytes)
        case 1: stream.body = HTTP2BodyBuffer()  // filled by `resumeDeferred`
        default:
            stream.body = HTTP2BodyBuffer()
            for start in stride(from: 0, to: size, by: 3_000) { stream.body.append(Array(bytes[start..<min(size, start + 3_000)])) }
            stream.body.isComplete = true
        }
        stream.responded = true
        self.streams[streamID] = stream
        let accepted = self.session.submitResponse(streamID: streamID, head: self.head, hasBody: size > 0 || style != 0)
        if !accepted { self.streams[streamID]?.responded = false }
    }

    /// What a streaming producer does later: give deferred bodies their bytes and end them.
    func resumeDeferred() {
        for (id, stream) in self.streams where stream.responded && !stream.body.isComplete {
            self.streams[id]!.body.append([UInt8](repeating: UInt8(ascii: "b"), count: 1_000))
            self.streams[id]!.body.isComplete = true
            if stream.deferred {
                self.streams[id]!.deferred = false
                self.session.resumeData(streamID: id)
            }
        }
    }
}

/// Checks that `output` is a sequence of well-formed frames, starting with our SETTINGS.
func checkOutput(_ output: [UInt8], expectSettingsFirst: Bool) {
    var index = 0
    var first = true
    while index < output.count {
        invariant(output.count - index >= 9, "a truncated frame header in the output")
        let length = Int(output[index]) << 16 | Int(output[index + 1]) << 8 | Int(output[index + 2])
        let type = output[index + 3]
        invariant(length <= 16_384, "an output frame of \(length) bytes")
        invariant(type <= 0x9, "an output frame of type \(type)")
        invariant(type != 0x5, "PUSH_PROMISE sent")
        if first && expectSettingsFirst { invariant(type == 0x4, "the first output frame is type \(type), not SETTINGS") }
        first = false
        index += 9 + length
        invariant(index <= output.count, "a truncated frame in the output")
    }
}

/// Turns records into frames (record mode).
func framesFromRecords(_ input: UnsafeRawBufferPointer) -> [UInt8] {
    var output: [UInt8] = []
    var index = 0
    while index + 4 <= input.count {
        let type = input[index] & 0x0F
        let flags = input[index + 1]
        let selector = Int32(input[index + 2])
        let stream: Int32 = selector == 0 ? 0 : selector < 128 ? 2 * selector - 1 : 2 * (selector - 127)
        let length = min(Int(input[index + 3]), input.count - index - 4)
        output += [0, UInt8(length >> 8), UInt8(length & 0xFF), type, flags, 0, 0, UInt8(stream >> 8), UInt8(stream & 0xFF)]
        output += input[(index + 4)..<(index + 4 + length)]
        index += 4 + length
    }
    return output
}

let clientPreface: [UInt8] = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size >= 2 else { return 0 }
    let input = UnsafeRawBufferPointer(start: data, count: size)
    let config = input[0]
    let pieceSelector = Int(input[1])
    var rest = UnsafeRawBufferPointer(rebasing: input[2...])

    let server = FuzzServer(style: (config >> 3) & 0x3, smallBudget: config & 0x40 != 0)
    let limits = HTTP2Session.Limits(maxContinuations: 8, incomingResetBurst: 1000, incomingResetRate: 33)
    guard let session = HTTP2Session(delegate: server, limits: limits) else { return 0 }
    server.session = session
    invariant(session.submitSettings([.maxConcurrentStreams(100), .maxHeaderListSize(UInt32(server.budget.bytes)), .noRFC7540Priorities(true)]), "SETTINGS refused")

    var output: [UInt8] = []
    func sendPass() {
        _ = session.send { bytes in
            output.append(contentsOf: bytes)
            return output.count < 4 << 20
        }
    }

    var stream: [UInt8] = []
    if config & 0x04 != 0, let count = rest.first {
        // h2c upgrade: an HTTP2-Settings value, then the client's bytes.
        let value = rest.dropFirst().prefix(Int(count))
        rest = UnsafeRawBufferPointer(rebasing: rest[(1 + value.count)...])
        let text = String(decoding: value, as: UTF8.self)
        if let payload = H2CUpgrade.decodeBase64URL(Substring(text)), H2CUpgrade.isValidSettingsPayload(payload) {
            let upgraded = session.upgrade(settingsPayload: payload, isHeadRequest: count & 1 == 1)
            invariant(upgraded, "nghttp2 refused a settings payload H2CUpgrade accepted: \(payload)")
            server.streams[1] = FuzzServer.Stream(headersDone: true, ended: true)
            server.highestBegun = 1
            server.respond(1, status: 200)
        }
    }
    if config & 0x02 == 0 || config & 0x01 != 0 { stream += clientPreface }
    stream += config & 0x01 != 0 ? framesFromRecords(rest) : Array(rest)

    let pieceSize = pieceSelector == 0 ? max(1, stream.count) : pieceSelector % 97 + 1
    var offset = 0
    var failed = false
    var shutdownDone = false
    while offset < stream.count, !failed {
        let end = min(stream.count, offset + pieceSize)
        let outcome = stream[offset..<end].withUnsafeBytes { session.receive($0) }
        if case .fatal = outcome { failed = true }
        offset = end
        if config & 0x80 != 0 { sendPass() }
        if config & 0x20 != 0, !shutdownDone, offset >= stream.count / 2 {
            shutdownDone = true
            session.submitShutdownNotice()
            session.submitPing(payload: 0x5EED)
            session.submitGoaway(lastStreamID: session.lastProcessedStreamID, errorCode: .noError)
        }
    }
    // Whatever nghttp2 queued (a GOAWAY after a fatal error included) can still be sent.
    sendPass()
    server.resumeDeferred()
    sendPass()
    checkOutput(output, expectSettingsFirst: true)
    for (id, state) in server.streams where state.eofSent {
        invariant(state.body.count == 0, "stream \(id) ended with \(state.body.count) bytes unsent")
    }
    session.invalidate()
    invariant(!session.wantsRead && !session.wantsWrite, "an invalidated session still wants I/O")
    return 0
}
