// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

import CNGHTTP2

/// One server-side `nghttp2_session`, driven entirely from memory: the connection hands it
/// the bytes it read (``receive(_:)``) and takes the bytes it should write (``send(_:)``).
/// nghttp2 never sees the socket.
///
/// Everything nghttp2 reports comes back through ``HTTP2SessionDelegate`` as Swift values;
/// no C type appears in this type's interface. The C callbacks live in
/// `HTTP2Session+Callbacks.swift`; each recovers its session from `user_data` and checks its
/// arguments before calling the delegate.
///
/// Not thread-safe: a session belongs to its connection's event loop. The delegate is held
/// unowned (the connection owns the session and outlives it).
final class HTTP2Session {
    /// A frame received or sent, reduced to what the server acts on.
    struct Frame {
        enum Kind: Equatable {
            case data, headers, priority, resetStream, settings, pushPromise, ping, goaway, windowUpdate, continuation
            case other(UInt8)
        }

        var kind: Kind
        var streamID: Int32
        var flags: UInt8
        /// HEADERS that open a request (as opposed to trailers).
        var isRequestHeaders = false
        /// The error code of RST_STREAM and GOAWAY.
        var errorCode: UInt32 = 0
        /// The 8 opaque bytes of a PING.
        var pingPayload: UInt64 = 0
        /// GOAWAY's last stream id.
        var lastStreamID: Int32 = 0

        var endsStream: Bool { self.flags & 0x01 != 0 }
        var endsHeaders: Bool { self.flags & 0x04 != 0 }
        var isAcknowledgement: Bool { self.flags & 0x01 != 0 }
    }

    /// What the delegate answers for one request header field.
    enum HeaderVerdict {
        case accept
        /// Reset the stream (nghttp2 sends RST_STREAM INTERNAL_ERROR and drops the rest of
        /// the block).
        case resetStream
    }

    /// What the delegate answers when nghttp2 asks for response body bytes.
    enum BodyRead {
        /// `count` bytes were written to the buffer; `endOfStream` ends the response.
        case bytes(count: Int, endOfStream: Bool)
        /// Nothing to send yet; call ``resumeData(streamID:)`` when there is.
        case deferred
        /// The body failed; the stream is reset.
        case failed
    }

    /// The outcome of ``receive(_:)`` and ``send(_:)``.
    enum Outcome: Equatable {
        case ok
        /// nghttp2 gave up on the connection (protocol error, flood, bad preface…). Send
        /// what is still queued, then close.
        case fatal(code: Int32, reason: String)
    }

    /// HTTP/2 error codes (RFC 9113 §7) the server sends.
    enum ErrorCode: UInt32 {
        case noError = 0x0
        case protocolError = 0x1
        case internalError = 0x2
        case refusedStream = 0x7
        case cancel = 0x8
        case enhanceYourCalm = 0xB

        /// The GOAWAY code for a fatal error `receive` or `send` reported: floods and
        /// CONTINUATION abuse are ENHANCE_YOUR_CALM, our own failures INTERNAL_ERROR, the
        /// rest PROTOCOL_ERROR.
        init(libraryError code: Int32) {
            switch code {
            case NGHTTP2_ERR_FLOODED.rawValue, NGHTTP2_ERR_TOO_MANY_CONTINUATIONS.rawValue: self = .enhanceYourCalm
            case NGHTTP2_ERR_CALLBACK_FAILURE.rawValue, NGHTTP2_ERR_NOMEM.rawValue: self = .internalError
            default: self = .protocolError
            }
        }
    }

    /// A SETTINGS parameter the server advertises.
    enum Setting {
        case maxConcurrentStreams(UInt32)
        case initialWindowSize(UInt32)
        case maxHeaderListSize(UInt32)
        case enablePush(Bool)
        case noRFC7540Priorities(Bool)
    }

    /// The library limits a session is created with.
    struct Limits {
        var maxContinuations: Int
        var incomingResetBurst: Int
        var incomingResetRate: Int
        var maxSettingsEntries = 32
        var maxOutboundAcks = 1000
    }

    private var handle: OpaquePointer?
    unowned(unsafe) let delegate: any HTTP2SessionDelegate
    /// Nesting depth of calls into nghttp2, so the session is never deleted from inside one
    /// of its own callbacks.
    private var depth = 0
    private var invalidated = false
    /// Reused storage for the name/value pairs of response heads.
    var nameValues: [nghttp2_nv] = []

    /// Creates a server session; `nil` when nghttp2 cannot allocate one.
    init?(delegate: any HTTP2SessionDelegate, limits: Limits) {
        self.delegate = delegate
        var option: OpaquePointer?
        guard nghttp2_option_new(&option) == 0, let option else { return nil }
        defer { nghttp2_option_del(option) }
        // Debian backports (CVE-2023-44487, CVE-2024-28182); upstream has them from 1.57/1.61.
        nghttp2_option_set_stream_reset_rate_limit(option, UInt64(max(1, limits.incomingResetBurst)), UInt64(max(1, limits.incomingResetRate)))
        nghttp2_option_set_max_continuations(option, max(0, limits.maxContinuations))
        nghttp2_option_set_max_settings(option, limits.maxSettingsEntries)
        nghttp2_option_set_max_outbound_ack(option, limits.maxOutboundAcks)
        // Closed streams are kept only for RFC 7540 priorities, which we turn off.
        nghttp2_option_set_no_closed_streams(option, 1)
        var session: OpaquePointer?
        let status = nghttp2_session_server_new2(&session, Self.callbacks, Unmanaged.passUnretained(self).toOpaque(), option)
        guard status == 0, let session else { return nil }
        self.handle = session
    }

    deinit {
        if let handle { nghttp2_session_del(handle) }
    }

    /// Deletes the nghttp2 session now, or as soon as the current call into it returns.
    func invalidate() {
        self.invalidated = true
        if self.depth == 0, let handle = self.handle {
            self.handle = nil
            nghttp2_session_del(handle)
        }
    }

    /// Runs `body` with the live session handle, or returns `nil` once it is invalidated.
    /// Plumbing for the wrapper's own extensions (`+Submitting`, `+Callbacks`); the
    /// connection never sees the handle.
    @inline(__always)
    func withHandle<Result>(_ body: (OpaquePointer) -> Result) -> Result? {
        guard let handle = self.enter() else { return nil }
        defer { self.leave() }
        return body(handle)
    }

    private func enter() -> OpaquePointer? {
        guard !self.invalidated, let handle = self.handle else { return nil }
        self.depth += 1
        return handle
    }

    private func leave() {
        self.depth -= 1
        if self.depth == 0, self.invalidated { self.invalidate() }
    }

    // MARK: - Input and output

    /// Processes received bytes; every frame completed by them is reported to the delegate
    /// before this returns.
    func receive(_ bytes: UnsafeRawBufferPointer) -> Outcome {
        guard !bytes.isEmpty else { return .ok }
        guard let handle = self.enter() else { return .fatal(code: -1, reason: "the session is closed") }
        defer { self.leave() }
        let result = nghttp2_session_mem_recv(handle, bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), bytes.count)
        if result < 0 { return .fatal(code: Int32(truncatingIfNeeded: result), reason: Self.describe(result)) }
        // Without NGHTTP2_ERR_PAUSE from a callback, mem_recv consumes everything.
        return .ok
    }

    /// Serialises queued frames, handing each piece to `sink` (the bytes are valid only
    /// during the call). Stops when nothing is left or `sink` returns false (the
    /// connection's output is over its cap; what remains stays queued inside nghttp2).
    func send(_ sink: (UnsafeRawBufferPointer) -> Bool) -> Outcome {
        guard let handle = self.enter() else { return .ok }
        defer { self.leave() }
        while true {
            var pointer: UnsafePointer<UInt8>?
            let count = nghttp2_session_mem_send(handle, &pointer)
            if count < 0 { return .fatal(code: Int32(truncatingIfNeeded: count), reason: Self.describe(count)) }
            guard count > 0, let pointer else { return .ok }
            if !sink(UnsafeRawBufferPointer(start: pointer, count: count)) { return .ok }
        }
    }

    /// Whether nghttp2 still expects input; false once both sides said GOAWAY and no stream
    /// is left, or after a fatal error.
    var wantsRead: Bool { self.handle.map { nghttp2_session_want_read($0) != 0 } ?? false }
    /// Whether nghttp2 has frames to send.
    var wantsWrite: Bool { self.handle.map { nghttp2_session_want_write($0) != 0 } ?? false }

    /// The highest stream id the server has started processing, for the final GOAWAY.
    var lastProcessedStreamID: Int32 { self.handle.map { nghttp2_session_get_last_proc_stream_id($0) } ?? 0 }

    static func describe(_ code: Int) -> String {
        String(cString: nghttp2_strerror(Int32(truncatingIfNeeded: code)))
    }
}
