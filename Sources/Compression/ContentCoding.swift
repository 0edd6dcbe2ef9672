// slipway — Compression
// SPDX-License-Identifier: Apache-2.0

/// An HTTP content coding (RFC 9110 §8.4.1) that slipway understands.
///
/// The negotiation helpers are pure functions over header field values, so the HTTP
/// layer decides what to send and the rules can be tested without a server:
/// - ``negotiate(acceptEncoding:supported:)`` picks the response coding;
/// - ``parseContentEncoding(_:)`` decides whether a request body can be decoded;
/// - ``isCompressible(contentType:)`` says whether compressing a response is worthwhile.
public enum ContentCoding: String, Sendable, Hashable, CaseIterable {
    /// RFC 1952 gzip (also spelled `x-gzip`, RFC 9110 §8.4.1.3).
    case gzip
    /// HTTP's "deflate": the zlib format (RFC 9110 §8.4.1.2).
    case deflate
    /// No transformation.
    case identity

    /// The compressed byte format of this coding, or `nil` for ``identity``.
    public var compressionFormat: CompressionFormat? {
        switch self {
        case .gzip: .gzip
        case .deflate: .deflate
        case .identity: nil
        }
    }

    /// The codings a response can use, in the server's order of preference: gzip when
    /// the client allows it, otherwise the body as it is.
    public static let responseCodings: [ContentCoding] = [.gzip, .identity]

    /// The codings a request body may use, besides identity. A 415 answer to an
    /// unsupported `Content-Encoding` should list them in `Accept-Encoding`
    /// (RFC 9110 §15.5.16): `Accept-Encoding: gzip, deflate`.
    public static let requestCodings: [ContentCoding] = [.gzip, .deflate]
}
