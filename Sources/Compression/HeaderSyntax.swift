// slipway — Compression
// SPDX-License-Identifier: Apache-2.0

/// Small pieces of HTTP field-value syntax (RFC 9110 §5.6) shared by the parsers here.
///
/// They work on UTF-8 bytes because every character that matters is ASCII and header
/// values arrive per request.
enum HeaderSyntax {
    /// `OWS = *( SP / HTAB )`.
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }

    /// `tchar` from RFC 9110 §5.6.2.
    static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"),
             UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
             UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    /// Whether `bytes` is a non-empty `token`.
    static func isToken(_ bytes: some Collection<UInt8>) -> Bool {
        !bytes.isEmpty && bytes.allSatisfy(isTokenCharacter)
    }

    /// `bytes` without leading and trailing OWS.
    static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var slice = bytes
        while let first = slice.first, isWhitespace(first) { slice = slice.dropFirst() }
        while let last = slice.last, isWhitespace(last) { slice = slice.dropLast() }
        return slice
    }

    /// The elements of a `#list` field value (RFC 9110 §5.6.1), trimmed, with empty
    /// elements dropped as the list rule requires.
    ///
    /// Splits on every comma: none of the grammars parsed here allows a quoted string,
    /// so a member containing one is malformed wherever it is split.
    static func listElements(_ fieldValue: String) -> [ArraySlice<UInt8>] {
        Array(fieldValue.utf8).split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
            .map(trimmed)
            .filter { !$0.isEmpty }
    }

    /// ASCII-lowercased text of `bytes` (tokens are ASCII; anything else never matches).
    static func lowercased(_ bytes: some Collection<UInt8>) -> String {
        String(decoding: bytes.map { byte in
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
        }, as: UTF8.self)
    }
}
