// slipway — Compression
// SPDX-License-Identifier: Apache-2.0

/// A request `Content-Encoding` the server cannot decode; the answer is 415 Unsupported
/// Media Type with `Accept-Encoding: gzip, deflate` (RFC 9110 §15.5.16).
public struct UnsupportedContentEncoding: Error, Sendable, Hashable, CustomStringConvertible {
    /// Why the field value is unsupported.
    public enum Reason: Sendable, Hashable {
        /// A single coding the server does not implement, such as `br` or `zstd`
        /// (lowercased as sent).
        case unknownCoding(String)
        /// More than one coding applied in sequence, such as `gzip, gzip`; the server
        /// decodes at most one.
        case stackedCodings([String])
        /// A member that is not a coding name, such as `gzip;q=1` or `;`.
        case malformed
    }

    /// Why the field value is unsupported.
    public var reason: Reason
    /// The field value as received.
    public var fieldValue: String

    /// Creates the result.
    public init(reason: Reason, fieldValue: String) {
        self.reason = reason
        self.fieldValue = fieldValue
    }

    /// A sentence the client can act on, suitable for a problem+json `detail`.
    public var message: String {
        let accepted = ContentCoding.requestCodings.map(\.rawValue).joined(separator: " or ")
        switch reason {
        case .unknownCoding(let coding):
            return "This server cannot decode request bodies with Content-Encoding \"\(coding)\"; send the body uncompressed or with \(accepted)."
        case .stackedCodings(let codings):
            return "This server decodes at most one content coding, but the request body has \(codings.count) (\(codings.joined(separator: ", "))); compress the body once, with \(accepted)."
        case .malformed:
            return "The Content-Encoding header \"\(fieldValue)\" is not a list of coding names; send \(accepted), or no Content-Encoding for an uncompressed body."
        }
    }

    /// The message, for logs.
    public var description: String { message }
}
