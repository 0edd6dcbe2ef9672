// slipway — Compression
// SPDX-License-Identifier: Apache-2.0

/// The byte format of a compressed HTTP body.
///
/// Both carry deflate data (RFC 1951); they differ only in framing, which is what the
/// HTTP content codings of the same names mean (RFC 9110 §8.4.1).
public enum CompressionFormat: String, Sendable, Hashable, CaseIterable {
    /// RFC 1952 gzip: 10-byte header, deflate data, CRC-32 and ISIZE trailer.
    case gzip
    /// HTTP's "deflate": the RFC 1950 zlib format (2-byte header, deflate data, Adler-32
    /// trailer). ``BodyInflater`` also accepts bare RFC 1951 data under this name,
    /// because some clients send that.
    case deflate
}
