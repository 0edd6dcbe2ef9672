// slipway — Compression
// SPDX-License-Identifier: Apache-2.0

extension ContentCoding {
    /// `application/` subtypes that are text and shrink well.
    static let compressibleApplicationSubtypes: Set<String> = [
        "json", "xml", "javascript", "x-javascript", "ecmascript",
        "x-ndjson", "yaml", "x-yaml",
    ]

    /// Whether a response of this media type is worth compressing.
    ///
    /// Yes for text: `text/*` (including `text/event-stream`, whose events the encoder
    /// flushes one by one), `application/json`, `xml`, `javascript`, `x-ndjson`, `yaml`,
    /// and any type with the `+json` or `+xml` structured-syntax suffix
    /// (`application/problem+json`, `image/svg+xml`). No for everything else, notably
    /// images, audio, video, archives, `application/octet-stream` and `application/gzip`:
    /// they are already compressed or unknown, and compressing them again costs CPU for
    /// nothing. Parameters (`; charset=utf-8`) and case are ignored; a malformed value is
    /// not compressible.
    public static func isCompressible(contentType: String) -> Bool {
        let essence = HeaderSyntax.trimmed(ArraySlice(contentType.utf8.prefix { $0 != UInt8(ascii: ";") }))
        let halves = essence.split(separator: UInt8(ascii: "/"), maxSplits: 1, omittingEmptySubsequences: false)
        guard halves.count == 2, HeaderSyntax.isToken(halves[0]), HeaderSyntax.isToken(halves[1]) else {
            return false
        }
        let type = HeaderSyntax.lowercased(halves[0])
        let subtype = HeaderSyntax.lowercased(halves[1])
        if type == "*" || subtype == "*" { return false }
        if subtype.hasSuffix("+json") || subtype.hasSuffix("+xml") { return true }
        switch type {
        case "text": return true
        case "application": return compressibleApplicationSubtypes.contains(subtype)
        default: return false
        }
    }
}
