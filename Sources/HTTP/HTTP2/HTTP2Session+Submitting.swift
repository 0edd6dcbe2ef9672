// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

import CNGHTTP2

/// Queuing frames. Each call only queues; the bytes leave with the next ``send(_:)``.
/// Every method returns whether nghttp2 accepted the request (a stream that is already
/// closed, for example, is refused).
extension HTTP2Session {
    /// Queues SETTINGS (the server's half of the connection preface).
    @discardableResult
    func submitSettings(_ settings: [Setting]) -> Bool {
        let entries = settings.map { setting -> nghttp2_settings_entry in
            switch setting {
            case .maxConcurrentStreams(let value):
                nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS.rawValue), value: value)
            case .initialWindowSize(let value):
                nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE.rawValue), value: value)
            case .maxHeaderListSize(let value):
                nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE.rawValue), value: value)
            case .enablePush(let enabled):
                nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_ENABLE_PUSH.rawValue), value: enabled ? 1 : 0)
            case .noRFC7540Priorities(let disabled):
                nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_NO_RFC7540_PRIORITIES.rawValue), value: disabled ? 1 : 0)
            }
        }
        return self.withHandle { handle in
            entries.withUnsafeBufferPointer { nghttp2_submit_settings(handle, UInt8(NGHTTP2_FLAG_NONE.rawValue), $0.baseAddress, $0.count) == 0 }
        } ?? false
    }

    /// Queues the response head for `streamID`. With `hasBody`, nghttp2 then asks the
    /// delegate for body bytes (``HTTP2SessionDelegate/sessionReadBody(streamID:into:)``) as
    /// flow control allows; without, the HEADERS frame ends the stream.
    @discardableResult
    func submitResponse(streamID: Int32, head: HTTP2HeaderBlock, hasBody: Bool) -> Bool {
        guard !head.entries.isEmpty else { return false }
        return self.withHandle { handle in self.submitResponse(handle, streamID: streamID, head: head, hasBody: hasBody) } ?? false
    }

    private func submitResponse(_ handle: OpaquePointer, streamID: Int32, head: HTTP2HeaderBlock, hasBody: Bool) -> Bool {
        self.nameValues.removeAll(keepingCapacity: true)
        let status: Int32 = head.bytes.withUnsafeBufferPointer { bytes in
            let base = UnsafeMutablePointer(mutating: bytes.baseAddress!)
            for entry in head.entries {
                // nghttp2 copies names and values while it submits (no NO_COPY flags), so
                // pointers into this buffer need only live for the call.
                self.nameValues.append(nghttp2_nv(
                    name: base + entry.nameStart, value: base + entry.valueStart,
                    namelen: entry.nameLength, valuelen: entry.valueLength, flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue)
                ))
            }
            return self.nameValues.withUnsafeBufferPointer { fields in
                if hasBody {
                    var provider = nghttp2_data_provider(source: nghttp2_data_source(ptr: nil), read_callback: Self.readBodyCallback)
                    return nghttp2_submit_response(handle, streamID, fields.baseAddress, fields.count, &provider)
                }
                return nghttp2_submit_response(handle, streamID, fields.baseAddress, fields.count, nil)
            }
        }
        return status == 0
    }

    /// Moves a body whose read callback answered ``BodyRead/deferred`` back into the
    /// outgoing queue.
    @discardableResult
    func resumeData(streamID: Int32) -> Bool {
        self.withHandle { nghttp2_session_resume_data($0, streamID) == 0 } ?? false
    }

    /// Queues RST_STREAM for `streamID`.
    @discardableResult
    func submitResetStream(streamID: Int32, errorCode: ErrorCode) -> Bool {
        self.withHandle { nghttp2_submit_rst_stream($0, UInt8(NGHTTP2_FLAG_NONE.rawValue), streamID, errorCode.rawValue) == 0 } ?? false
    }

    /// Queues the first GOAWAY of a graceful shutdown (last stream id 2^31-1): "stop opening
    /// streams", without refusing any in flight.
    @discardableResult
    func submitShutdownNotice() -> Bool {
        self.withHandle { nghttp2_submit_shutdown_notice($0) == 0 } ?? false
    }

    /// Queues GOAWAY; streams above `lastStreamID` are refused from now on.
    @discardableResult
    func submitGoaway(lastStreamID: Int32, errorCode: ErrorCode) -> Bool {
        self.withHandle { nghttp2_submit_goaway($0, UInt8(NGHTTP2_FLAG_NONE.rawValue), lastStreamID, errorCode.rawValue, nil, 0) == 0 } ?? false
    }

    /// Queues a PING with `payload`; its ACK arrives as a received PING frame with the ACK flag.
    @discardableResult
    func submitPing(payload: UInt64) -> Bool {
        withUnsafeBytes(of: payload) { bytes in
            self.withHandle { nghttp2_submit_ping($0, UInt8(NGHTTP2_FLAG_NONE.rawValue), bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)) == 0 } ?? false
        }
    }

    /// Queues GOAWAY with `errorCode` and the last processed stream id, after which the
    /// session wants neither to read nor to write.
    @discardableResult
    func terminate(errorCode: ErrorCode) -> Bool {
        self.withHandle { nghttp2_session_terminate_session($0, errorCode.rawValue) == 0 } ?? false
    }

    /// Applies an `Upgrade: h2c` request: `settingsPayload` is the decoded `HTTP2-Settings`
    /// value, treated as the client's SETTINGS; stream 1 opens half-closed (remote) and
    /// carries the response to the HTTP/1.1 request.
    func upgrade(settingsPayload: [UInt8], isHeadRequest: Bool) -> Bool {
        self.withHandle { handle in
            settingsPayload.withUnsafeBufferPointer { payload in
                nghttp2_session_upgrade2(handle, payload.baseAddress, payload.count, isHeadRequest ? 1 : 0, nil) == 0
            }
        } ?? false
    }
}
