// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

/// Size limits applied while parsing an HTTP/1.1 request head and body framing.
public struct HTTP1Limits: Sendable, Hashable {
    /// Longest request line; a longer target gets 414 (RFC 9112 §3 recommends ≥ 8000).
    public var maxRequestLineBytes: Int = 8 * 1024
    /// Longest single header line; longer gets 431.
    public var maxFieldLineBytes: Int = 8 * 1024
    /// Longest head (request line and all header lines); longer gets 431.
    public var maxHeadBytes: Int = 32 * 1024
    /// Most header lines; more gets 431.
    public var maxFieldCount: Int = 100
    /// Longest chunk-size line, extensions included (the CVE-2023-39326 class).
    public var maxChunkLineBytes: Int = 256
    /// Most trailer bytes after the last chunk.
    public var maxTrailerBytes: Int = 8 * 1024

    public init() {}
}
