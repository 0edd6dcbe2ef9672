// slipway — HTTP tests
// SPDX-License-Identifier: Apache-2.0

import Testing
@testable import HTTP

/// The nghttp2 wrapper without sockets: bytes in, events and bytes out.
@Suite("HTTP/2 session wrapper")
struct HTTP2SessionTests {
    /// Records what the session reports; answers body reads from `bodies`.
    final class Recorder: HTTP2SessionDelegate {
        enum Event: Equatable {
            case begin(Int32)
            case header(Int32, String, String)
            case received(HTTP2Session.Frame.Kind, Int32, endStream: Bool)
            case data(Int32, [UInt8])
            case closed(Int32, UInt32)
            case sent(HTTP2Session.Frame.Kind, Int32, endStream: Bool)
        }

        var events: [Event] = []
        var bodies: [Int32: [UInt8]] = [:]
        var deferred: Set<Int32> = []

        func sessionBeginRequest(streamID: Int32) { self.events.append(.begin(streamID)) }
        func sessionHeader(streamID: Int32, name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) -> HTTP2Session.HeaderVerdict {
            self.events.append(.header(streamID, String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self)))
            return .accept
        }
        func sessionFrameReceived(_ frame: HTTP2Session.Frame) { self.events.append(.received(frame.kind, frame.streamID, endStream: frame.endsStream)) }
        func sessionData(streamID: Int32, bytes: UnsafeRawBufferPointer) { self.events.append(.data(streamID, Array(bytes))) }
        func sessionStreamClosed(streamID: Int32, errorCode: UInt32) { self.events.append(.closed(streamID, errorCode)) }
        func sessionFrameSent(_ frame: HTTP2Session.Frame) { self.events.append(.sent(frame.kind, frame.streamID, endStream: frame.endsStream)) }
        func sessionReadBody(streamID: Int32, into buffer: UnsafeMutableRawBufferPointer) -> HTTP2Session.BodyRead {
            if self.deferred.contains(streamID) { return .deferred }
            guard var body = self.bodies[streamID] else { return .failed }
            let count = min(body.count, buffer.count)
            body.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            body.removeFirst(count)
            self.bodies[streamID] = body
            return .bytes(count: count, endOfStream: body.isEmpty)
        }
    }

    static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    static func frame(type: UInt8, flags: UInt8 = 0, stream: Int32 = 0, _ payload: [UInt8] = []) -> [UInt8] {
        let length = payload.count
        return [UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF), type, flags,
                UInt8(stream >> 24 & 0x7F), UInt8(stream >> 16 & 0xFF), UInt8(stream >> 8 & 0xFF), UInt8(stream & 0xFF)] + payload
    }

    /// HPACK: `:method GET`, `:scheme http`, `:path /` from the static table, `:authority h`
    /// with an indexed name, then `x-test: 1` as a literal without indexing.
    static let getRoot: [UInt8] = [0x82, 0x86, 0x84, 0x01, 1, UInt8(ascii: "h"), 0x00, 6] + Array("x-test".utf8) + [1, UInt8(ascii: "1")]
    static let endStreamAndHeaders: UInt8 = 0x05

    static func makeSession(_ recorder: Recorder) throws -> HTTP2Session {
        try #require(HTTP2Session(delegate: recorder, limits: HTTP2Session.Limits(maxContinuations: 8, incomingResetBurst: 1000, incomingResetRate: 33)))
    }

    static func drain(_ session: HTTP2Session) -> [UInt8] {
        var output: [UInt8] = []
        let outcome = session.send { output += $0; return true }
        #expect(outcome == .ok)
        return output
    }

    /// The frames in `bytes` as (type, flags, stream id, payload).
    static func frames(_ bytes: [UInt8]) -> [(type: UInt8, flags: UInt8, stream: Int32, payload: [UInt8])] {
        var result: [(UInt8, UInt8, Int32, [UInt8])] = []
        var index = 0
        while index + 9 <= bytes.count {
            let length = Int(bytes[index]) << 16 | Int(bytes[index + 1]) << 8 | Int(bytes[index + 2])
            let stream = Int32(bytes[index + 5] & 0x7F) << 24 | Int32(bytes[index + 6]) << 16 | Int32(bytes[index + 7]) << 8 | Int32(bytes[index + 8])
            result.append((bytes[index + 3], bytes[index + 4], stream, Array(bytes[(index + 9)..<(index + 9 + length)])))
            index += 9 + length
        }
        return result
    }

    @Test func decodesARequestAndSendsAResponse() throws {
        let recorder = Recorder()
        let session = try Self.makeSession(recorder)
        #expect(session.submitSettings([.maxConcurrentStreams(100), .maxHeaderListSize(32768)]))
        let input = Self.preface + Self.frame(type: 0x4) + Self.frame(type: 0x1, flags: Self.endStreamAndHeaders, stream: 1, Self.getRoot)
        #expect(input.withUnsafeBytes { session.receive($0) } == .ok)
        #expect(Array(recorder.events.prefix(8)) == [
            .received(.settings, 0, endStream: false), .begin(1), .header(1, ":method", "GET"), .header(1, ":scheme", "http"), .header(1, ":path", "/"), .header(1, ":authority", "h"), .header(1, "x-test", "1"),
            .received(.headers, 1, endStream: true),
        ])

        var head = HTTP2HeaderBlock()
        head.appendStatus(200)
        head.append(field: HTTPFields.Field(name: "Content-Type", value: "text/plain"))
        let appendedConnection = head.append(field: HTTPFields.Field(name: "Connection", value: "keep-alive"))
        let appendedSplit = head.append(field: HTTPFields.Field(name: "X-Split", value: "a\r\nb"))
        #expect(!appendedConnection, "connection-specific fields are dropped")
        #expect(!appendedSplit, "unsafe values are dropped")
        head.append(lowercaseName: "content-length", decimal: 5)
        recorder.bodies[1] = Array("hello".utf8)
        #expect(session.submitResponse(streamID: 1, head: head, hasBody: true))
        let frames = Self.frames(Self.drain(session))
        // SETTINGS (ours), SETTINGS ACK, HEADERS, DATA with END_STREAM.
        #expect(frames.map(\.type) == [0x4, 0x4, 0x1, 0x0])
        #expect(frames[0].payload == [0, 3, 0, 0, 0, 100, 0, 6, 0, 0, 0x80, 0])
        #expect(frames[3].stream == 1 && frames[3].flags & 0x1 == 1 && frames[3].payload == Array("hello".utf8))
        #expect(recorder.events.contains(.closed(1, 0)))
        #expect(session.lastProcessedStreamID == 1)
    }

    @Test func aDeferredBodyWaitsForResume() throws {
        let recorder = Recorder()
        let session = try Self.makeSession(recorder)
        let input = Self.preface + Self.frame(type: 0x4) + Self.frame(type: 0x1, flags: Self.endStreamAndHeaders, stream: 1, Self.getRoot)
        _ = input.withUnsafeBytes { session.receive($0) }
        var head = HTTP2HeaderBlock()
        head.appendStatus(200)
        recorder.deferred = [1]
        #expect(session.submitResponse(streamID: 1, head: head, hasBody: true))
        #expect(!Self.frames(Self.drain(session)).contains { $0.type == 0x0 }, "no DATA while deferred")
        #expect(!session.wantsWrite)
        recorder.deferred = []
        recorder.bodies[1] = Array("later".utf8)
        #expect(session.resumeData(streamID: 1))
        let data = Self.frames(Self.drain(session)).filter { $0.type == 0x0 }
        #expect(data.count == 1 && data[0].payload == Array("later".utf8) && data[0].flags & 0x1 == 1)
    }

    static let fatalInputs: [(name: String, bytes: [UInt8])] = [
        ("not the preface", Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)),
        ("DATA on stream 0", preface + frame(type: 0x4) + frame(type: 0x0, stream: 0, [1, 2, 3])),
        ("SETTINGS on a stream", preface + frame(type: 0x4, stream: 1)),
        ("oversized frame", preface + frame(type: 0x4) + frame(type: 0x6, [UInt8](repeating: 0, count: 20000))),
        ("HEADERS on an even stream", preface + frame(type: 0x4) + frame(type: 0x1, flags: endStreamAndHeaders, stream: 2, getRoot)),
    ]

    /// Protocol errors end the session; the GOAWAY nghttp2 queued (if any) can still be sent.
    @Test(arguments: fatalInputs)
    func protocolErrorsEndTheSession(_ input: (name: String, bytes: [UInt8])) throws {
        let recorder = Recorder()
        let session = try Self.makeSession(recorder)
        let outcome = input.bytes.withUnsafeBytes { session.receive($0) }
        let goaway = Self.frames(Self.drain(session)).contains { $0.type == 0x7 }
        switch outcome {
        case .fatal:
            break  // the connection sends what is queued and closes
        case .ok:
            #expect(goaway, "\(input.name): neither fatal nor GOAWAY")
            #expect(!session.wantsRead, "\(input.name): the session still wants input after its GOAWAY")
        }
    }

    @Test func anInvalidatedSessionIgnoresInput() throws {
        let recorder = Recorder()
        let session = try Self.makeSession(recorder)
        session.invalidate()
        guard case .fatal = Self.preface.withUnsafeBytes({ session.receive($0) }) else {
            Issue.record("input accepted after invalidate")
            return
        }
        #expect(!session.wantsRead && !session.wantsWrite)
        #expect(!session.submitResetStream(streamID: 1, errorCode: .cancel))
    }
}
