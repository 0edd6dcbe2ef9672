// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

import CNGHTTP2

/// The C callbacks nghttp2 calls while ``HTTP2Session/receive(_:)`` and
/// ``HTTP2Session/send(_:)`` run. Each one is small: recover the session from `user_data`,
/// check the arguments nghttp2 passed, translate them to Swift values and call the delegate.
/// A callback that gets arguments it cannot make sense of fails the connection
/// (`NGHTTP2_ERR_CALLBACK_FAILURE`) rather than guess.
extension HTTP2Session {
    /// One callback table for every session: nghttp2 copies it into each session it creates,
    /// so it is built once and never freed.
    nonisolated(unsafe) static let callbacks: OpaquePointer = {
        var callbacks: OpaquePointer?
        guard nghttp2_session_callbacks_new(&callbacks) == 0, let callbacks else {
            fatalError("nghttp2_session_callbacks_new failed: out of memory")
        }
        nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks) { _, frame, userData in
            HTTP2Session.onBeginHeaders(frame, userData)
        }
        nghttp2_session_callbacks_set_on_header_callback(callbacks) { _, frame, name, nameLength, value, valueLength, _, userData in
            HTTP2Session.onHeader(frame, name, nameLength, value, valueLength, userData)
        }
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks) { _, frame, userData in
            HTTP2Session.onFrameReceived(frame, userData)
        }
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks) { _, _, streamID, data, length, userData in
            HTTP2Session.onDataChunk(streamID, data, length, userData)
        }
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks) { _, streamID, errorCode, userData in
            HTTP2Session.onStreamClosed(streamID, errorCode, userData)
        }
        nghttp2_session_callbacks_set_on_frame_send_callback(callbacks) { _, frame, userData in
            HTTP2Session.onFrameSent(frame, userData)
        }
        return callbacks
    }()

    /// The data provider's read callback, shared by every response with a body.
    static let readBodyCallback: nghttp2_data_source_read_callback = { _, streamID, buffer, length, dataFlags, _, userData in
        HTTP2Session.onReadBody(streamID, buffer, length, dataFlags, userData)
    }

    private static let callbackFailure = NGHTTP2_ERR_CALLBACK_FAILURE.rawValue

    /// The session a callback belongs to: `user_data` is always the session, passed unretained
    /// (the session outlives its nghttp2 handle).
    @inline(__always)
    private static func owner(_ userData: UnsafeMutableRawPointer?) -> HTTP2Session? {
        guard let userData else { return nil }
        return Unmanaged<HTTP2Session>.fromOpaque(userData).takeUnretainedValue()
    }

    // MARK: - Receiving

    private static func onBeginHeaders(_ frame: UnsafePointer<nghttp2_frame>?, _ userData: UnsafeMutableRawPointer?) -> Int32 {
        guard let session = owner(userData), let frame else { return callbackFailure }
        let header = frame.pointee.hd
        // HEADERS carrying trailers (category HEADERS) continue a stream that already exists.
        if header.type == UInt8(NGHTTP2_HEADERS.rawValue), frame.pointee.headers.cat == NGHTTP2_HCAT_REQUEST, header.stream_id > 0 {
            session.delegate.sessionBeginRequest(streamID: header.stream_id)
        }
        return 0
    }

    private static func onHeader(
        _ frame: UnsafePointer<nghttp2_frame>?,
        _ name: UnsafePointer<UInt8>?, _ nameLength: Int,
        _ value: UnsafePointer<UInt8>?, _ valueLength: Int,
        _ userData: UnsafeMutableRawPointer?
    ) -> Int32 {
        guard let session = owner(userData), let frame, let name, nameLength > 0, valueLength >= 0 else { return callbackFailure }
        let streamID = frame.pointee.hd.stream_id
        guard frame.pointee.hd.type == UInt8(NGHTTP2_HEADERS.rawValue), streamID > 0 else { return 0 }
        // nghttp2 passes a valid pointer even for an empty value; do not rely on it.
        let valueBytes = value.map { UnsafeRawBufferPointer(start: $0, count: valueLength) } ?? UnsafeRawBufferPointer(start: nil, count: 0)
        switch session.delegate.sessionHeader(streamID: streamID, name: UnsafeRawBufferPointer(start: name, count: nameLength), value: valueBytes) {
        case .accept: return 0
        // nghttp2 answers this with RST_STREAM(INTERNAL_ERROR) and skips the rest of the block.
        case .resetStream: return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue
        }
    }

    private static func onFrameReceived(_ frame: UnsafePointer<nghttp2_frame>?, _ userData: UnsafeMutableRawPointer?) -> Int32 {
        guard let session = owner(userData), let frame else { return callbackFailure }
        session.delegate.sessionFrameReceived(Self.frame(frame))
        return 0
    }

    private static func onDataChunk(_ streamID: Int32, _ data: UnsafePointer<UInt8>?, _ length: Int, _ userData: UnsafeMutableRawPointer?) -> Int32 {
        guard let session = owner(userData), streamID > 0, length >= 0 else { return callbackFailure }
        guard length > 0 else { return 0 }
        guard let data else { return callbackFailure }
        session.delegate.sessionData(streamID: streamID, bytes: UnsafeRawBufferPointer(start: data, count: length))
        return 0
    }

    private static func onStreamClosed(_ streamID: Int32, _ errorCode: UInt32, _ userData: UnsafeMutableRawPointer?) -> Int32 {
        guard let session = owner(userData) else { return callbackFailure }
        session.delegate.sessionStreamClosed(streamID: streamID, errorCode: errorCode)
        return 0
    }

    // MARK: - Sending

    private static func onFrameSent(_ frame: UnsafePointer<nghttp2_frame>?, _ userData: UnsafeMutableRawPointer?) -> Int32 {
        guard let session = owner(userData), let frame else { return callbackFailure }
        session.delegate.sessionFrameSent(Self.frame(frame))
        return 0
    }

    private static func onReadBody(
        _ streamID: Int32,
        _ buffer: UnsafeMutablePointer<UInt8>?, _ length: Int,
        _ dataFlags: UnsafeMutablePointer<UInt32>?,
        _ userData: UnsafeMutableRawPointer?
    ) -> Int {
        guard let session = owner(userData), let buffer, let dataFlags, length >= 0, streamID > 0 else {
            return Int(callbackFailure)
        }
        switch session.delegate.sessionReadBody(streamID: streamID, into: UnsafeMutableRawBufferPointer(start: buffer, count: length)) {
        case .bytes(let count, let endOfStream):
            guard count >= 0, count <= length else { return Int(callbackFailure) }
            if endOfStream { dataFlags.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue }
            return count
        case .deferred:
            return Int(NGHTTP2_ERR_DEFERRED.rawValue)
        case .failed:
            // Resets this stream only (RST_STREAM INTERNAL_ERROR); the connection lives on.
            return Int(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue)
        }
    }

    // MARK: - Translation

    /// The Swift view of a C frame.
    private static func frame(_ pointer: UnsafePointer<nghttp2_frame>) -> Frame {
        let header = pointer.pointee.hd
        var frame = Frame(kind: Self.kind(header.type), streamID: header.stream_id, flags: header.flags)
        switch frame.kind {
        case .headers:
            frame.isRequestHeaders = pointer.pointee.headers.cat == NGHTTP2_HCAT_REQUEST
        case .resetStream:
            frame.errorCode = pointer.pointee.rst_stream.error_code
        case .goaway:
            frame.errorCode = pointer.pointee.goaway.error_code
            frame.lastStreamID = pointer.pointee.goaway.last_stream_id
        case .ping:
            frame.pingPayload = withUnsafeBytes(of: pointer.pointee.ping.opaque_data) { $0.loadUnaligned(as: UInt64.self) }
        default:
            break
        }
        return frame
    }

    private static func kind(_ type: UInt8) -> Frame.Kind {
        switch type {
        case 0x0: .data
        case 0x1: .headers
        case 0x2: .priority
        case 0x3: .resetStream
        case 0x4: .settings
        case 0x5: .pushPromise
        case 0x6: .ping
        case 0x7: .goaway
        case 0x8: .windowUpdate
        case 0x9: .continuation
        default: .other(type)
        }
    }
}
