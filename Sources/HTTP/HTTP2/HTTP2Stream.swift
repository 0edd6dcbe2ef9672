// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

import Sockets

/// One request/response exchange on an HTTP/2 connection, from its HEADERS frame to its
/// close. Loop-confined, owned by the connection's stream table.
final class HTTP2Stream {
    enum Phase {
        /// The request header block is arriving.
        case receivingHeaders
        /// Headers are complete; body DATA is arriving.
        case receivingBody
        /// An async handler is producing the response.
        case processing
        /// The response head is submitted; its body (if any) is being pulled by nghttp2.
        case responding
    }

    let id: Int32
    var phase: Phase = .receivingHeaders
    let startedAt: Instant

    // MARK: Request

    var method: String?
    var target: String?
    var authority: String?
    var fields = HTTPFields()
    /// RFC 9113 §6.5.2 size of the header list so far (name + value + 32 per field).
    var headerListBytes = 0
    var headerCount = 0
    /// The header list passed the budget; the rest is dropped and the answer is 431.
    var headerListTooLarge = false

    var head: HTTPRequestHead?
    var plan: RequestDispatch.Plan?
    var body: [UInt8] = []
    var bodyDecoder: RequestBodyDecoder?
    /// Request body bytes received (before decoding), for the upload-rate check.
    var receivedBodyBytes = 0
    /// The response went out before the request ended (413, 415, 431…): further DATA is
    /// dropped and the stream is reset with NO_ERROR once the response is sent.
    var answeredEarly = false
    /// The client's END_STREAM arrived.
    var requestEnded = false

    // MARK: Response

    var isHeadRequest = false
    var responseBody = HTTP2BodyBuffer()
    /// The body comes from a streaming producer; its buffered bytes count against the
    /// connection's cap.
    var isStreamingBody = false
    /// nghttp2 was told "deferred" and waits for `resumeData`.
    var isDeferred = false
    /// Bytes a Content-Length stream still owes.
    var remainingLength: Int?
    /// A streaming writer waiting for the buffer to drain.
    var writerWaiter: (@Sendable (Error?) -> Void)?
    var task: Task<Void, Never>?
    /// When nghttp2 last pulled body bytes (or the response started): a stream whose
    /// buffered body is not pulled for the write-stall timeout is reset.
    var lastBodyProgress: Instant

    init(id: Int32, now: Instant) {
        self.id = id
        self.startedAt = now
        self.lastBodyProgress = now
    }

    /// Whether the request is still arriving.
    var isReceiving: Bool {
        switch self.phase {
        case .receivingHeaders, .receivingBody: true
        case .processing, .responding: false
        }
    }
}
