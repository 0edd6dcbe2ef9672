// slipway — Compression
// SPDX-License-Identifier: Apache-2.0

extension ContentCoding {
    /// Decides how to decode a request body from its `Content-Encoding` field.
    ///
    /// - absent, empty, or `identity` → ``identity``;
    /// - `gzip` or `x-gzip` (any case) → ``gzip``; `deflate` → ``deflate``;
    /// - anything else → ``UnsupportedContentEncoding``: an unknown coding, more than
    ///   one coding (`gzip, gzip`, `gzip, deflate`, even `identity, gzip`: the server
    ///   decodes exactly one and does not reason about stacks), or a malformed value
    ///   (parameters are not allowed on content codings).
    ///
    /// - Parameter fieldValue: The field value, with several lines joined by `", "`;
    ///   `nil` when the request has none.
    public static func parseContentEncoding(_ fieldValue: String?) -> Result<ContentCoding, UnsupportedContentEncoding> {
        guard let fieldValue else { return .success(.identity) }
        let elements = HeaderSyntax.listElements(fieldValue)
        guard elements.allSatisfy(HeaderSyntax.isToken) else {
            return .failure(UnsupportedContentEncoding(reason: .malformed, fieldValue: fieldValue))
        }
        let names = elements.map(HeaderSyntax.lowercased)
        guard names.count <= 1 else {
            return .failure(UnsupportedContentEncoding(reason: .stackedCodings(names), fieldValue: fieldValue))
        }
        switch names.first {
        case nil, "identity": return .success(.identity)
        case "gzip", "x-gzip": return .success(.gzip)
        case "deflate": return .success(.deflate)
        case let other?:
            return .failure(UnsupportedContentEncoding(reason: .unknownCoding(other), fieldValue: fieldValue))
        }
    }
}
