// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

/// When the server gzips response bodies (on HTTP/1.1 and HTTP/2 alike).
///
/// A body is compressed when the client accepts gzip, its `Content-Type` is text-like
/// (``Compression/ContentCoding/isCompressible(contentType:)``), it is at least
/// ``minimumBytes`` long (a stream of unknown length always qualifies), and the response
/// is not to HEAD, not 204 or 304, and not already encoded.
public struct ResponseCompressionConfiguration: Sendable, Hashable {
    /// Whether responses are compressed at all.
    public var enabled = true
    /// zlib level, 1 (fastest) to 9 (smallest); 6 is gzip's default.
    public var level = 6
    /// Smaller bodies are sent as they are: compressing them saves a few bytes at best.
    public var minimumBytes = 1024

    public init() {}
}
