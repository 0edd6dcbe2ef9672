// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

/// How the server speaks HTTP/2 over cleartext (h2c) and the limits it holds each HTTP/2
/// connection to. The defaults follow `http-robustness.md` §5.
public struct HTTP2Configuration: Sendable, Hashable {
    /// Accept HTTP/2 from clients that start with the connection preface
    /// (`curl --http2-prior-knowledge`, h2load, gRPC-style clients).
    public var priorKnowledge = true
    /// Accept `Upgrade: h2c` on an HTTP/1.1 GET or HEAD without a body (RFC 7540 §3.2;
    /// deprecated by RFC 9113, hence switchable). Anything that does not qualify is
    /// served as plain HTTP/1.1.
    public var upgrade = true

    /// `SETTINGS_MAX_CONCURRENT_STREAMS`: streams a client may have open at once. nghttp2
    /// treats more as a connection error.
    public var maxConcurrentStreams = 100
    /// `SETTINGS_INITIAL_WINDOW_SIZE` for request bodies; the connection window stays at
    /// the protocol's 65,535.
    public var initialWindowSize = 65_535
    /// Largest header list per request, counted as RFC 9113 §6.5.2 does (name + value + 32
    /// per field); more is answered 431. Also advertised as `SETTINGS_MAX_HEADER_LIST_SIZE`.
    public var maxHeaderListBytes = 32 * 1024
    /// Most header fields per request; more is answered 431.
    public var maxHeaderFields = 100

    /// CONTINUATION frames allowed after one HEADERS frame (Debian's backport of the
    /// CVE-2024-28182 fix); more ends the connection.
    public var maxContinuations = 8
    /// Token bucket for RST_STREAM frames the *client* sends (Rapid Reset, CVE-2023-44487):
    /// `burst` resets at once, refilled at `rate` per second; past it nghttp2 sends GOAWAY.
    public var incomingResetBurst = 1000
    /// Tokens per second refilled into the bucket of ``incomingResetBurst``.
    public var incomingResetRate = 33
    /// Token bucket for RST_STREAM frames the *server* sends (MadeYouReset, CVE-2025-8671):
    /// a client that keeps making us reset streams is cut off with ENHANCE_YOUR_CALM.
    public var sentResetBurst = 100
    /// Tokens per second refilled into the bucket of ``sentResetBurst``.
    public var sentResetRate = 10

    /// Response bytes a streaming body may have queued on one stream before its writer waits.
    public var maxBufferedBytesPerStream = 64 * 1024
    /// Response bytes all streaming bodies of one connection may have queued together.
    public var maxBufferedBytesPerConnection = 1024 * 1024
    /// Request-body bytes one connection may hold for requests still being received; a
    /// stream that would pass it is refused (RST_STREAM REFUSED_STREAM).
    public var maxBufferedRequestBytesPerConnection = 16 * 1024 * 1024

    /// How long graceful shutdown waits for the PING that follows its first GOAWAY before
    /// sending the final GOAWAY anyway (one round trip is all it needs).
    public var shutdownNoticeTimeout: Duration = .seconds(1)

    public init() {}
}
