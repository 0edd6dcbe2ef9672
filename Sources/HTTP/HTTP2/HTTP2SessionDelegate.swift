// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

/// Receives what an ``HTTP2Session`` decodes. Every method is called on the loop thread,
/// from inside ``HTTP2Session/receive(_:)`` or ``HTTP2Session/send(_:)``.
protocol HTTP2SessionDelegate: AnyObject {
    /// A client opened stream `streamID` with a request HEADERS frame.
    func sessionBeginRequest(streamID: Int32)
    /// One field of a request header block (pseudo-fields included), already validated by
    /// nghttp2 (RFC 9113 §8.2). The buffers are valid only during the call.
    func sessionHeader(streamID: Int32, name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) -> HTTP2Session.HeaderVerdict
    /// A complete frame arrived (HEADERS after its last CONTINUATION).
    func sessionFrameReceived(_ frame: HTTP2Session.Frame)
    /// Request body bytes for `streamID`; valid only during the call.
    func sessionData(streamID: Int32, bytes: UnsafeRawBufferPointer)
    /// A stream closed; `errorCode` is 0 unless it was reset.
    func sessionStreamClosed(streamID: Int32, errorCode: UInt32)
    /// A frame left the session (was serialised into the output).
    func sessionFrameSent(_ frame: HTTP2Session.Frame)
    /// nghttp2 wants up to `buffer.count` response body bytes for `streamID`.
    func sessionReadBody(streamID: Int32, into buffer: UnsafeMutableRawBufferPointer) -> HTTP2Session.BodyRead
}
