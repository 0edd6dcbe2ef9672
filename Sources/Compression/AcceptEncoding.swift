// slipway — Compression
// SPDX-License-Identifier: Apache-2.0

/// A parsed `Accept-Encoding` field value (RFC 9110 §12.5.3).
///
/// ```
/// Accept-Encoding = #( codings [ weight ] )
/// codings         = content-coding / "identity" / "*"
/// weight          = OWS ";" OWS "q=" qvalue
/// qvalue          = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
/// ```
///
/// Parsing is lenient in what cannot mislead and strict in what could: coding names and
/// the `q` parameter are case-insensitive, whitespace is allowed around `;`, `,` and `=`,
/// empty list elements are skipped, and a member that does not match the grammar (a bad
/// qvalue such as `q=1.0001` or `q=.5`, another parameter, a missing coding name) is
/// treated as absent rather than guessed at.
public struct AcceptEncoding: Sendable, Hashable {
    /// One `codings [ weight ]` element.
    public struct Member: Sendable, Hashable {
        /// The coding name, lowercased; `x-gzip` is kept as written. `*` is the wildcard.
        public var coding: String
        /// The qvalue in thousandths (0...1000), so `q=0.001` and `q=0` stay distinct
        /// without floating point; 1000 when no weight is given.
        public var quality: Int

        /// Creates a member.
        public init(coding: String, quality: Int) {
            self.coding = coding
            self.quality = quality
        }
    }

    /// The well-formed members, in field order.
    public var members: [Member]

    /// Parses a field value. Several `Accept-Encoding` lines must be joined with `", "`
    /// first (RFC 9110 §5.3).
    public init(parsing fieldValue: String) {
        members = HeaderSyntax.listElements(fieldValue).compactMap(Self.member)
    }

    /// The quality the client gave `coding`, from the member naming it or else from
    /// `*`; `nil` when neither appears. `gzip` also matches `x-gzip`. When a coding is
    /// listed more than once the highest quality counts.
    public func quality(of coding: ContentCoding) -> Int? {
        let names: Set<String> = coding == .gzip ? ["gzip", "x-gzip"] : [coding.rawValue]
        let explicit = members.filter { names.contains($0.coding) }.map(\.quality).max()
        return explicit ?? members.filter { $0.coding == "*" }.map(\.quality).max()
    }

    /// Parses one list element, or returns `nil` when it is malformed.
    static func member(_ element: ArraySlice<UInt8>) -> Member? {
        let parts = element.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false)
            .map(HeaderSyntax.trimmed)
        guard let name = parts.first, HeaderSyntax.isToken(name) else { return nil }
        switch parts.count {
        case 1:
            return Member(coding: HeaderSyntax.lowercased(name), quality: 1000)
        case 2:
            guard let quality = qualityParameter(parts[1]) else { return nil }
            return Member(coding: HeaderSyntax.lowercased(name), quality: quality)
        default:
            // Only one parameter, q, is defined for Accept-Encoding.
            return nil
        }
    }

    /// Parses `q=qvalue` (name case-insensitive, OWS tolerated around `=`) into
    /// thousandths.
    static func qualityParameter(_ parameter: ArraySlice<UInt8>) -> Int? {
        let halves = parameter.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
        guard halves.count == 2,
              HeaderSyntax.lowercased(HeaderSyntax.trimmed(halves[0])) == "q"
        else { return nil }
        return qvalue(HeaderSyntax.trimmed(halves[1]))
    }

    /// Parses a `qvalue` exactly as RFC 9110 §12.4.2 defines it, into thousandths.
    static func qvalue(_ text: ArraySlice<UInt8>) -> Int? {
        guard let leading = text.first else { return nil }
        let rest = text.dropFirst()
        let fraction: ArraySlice<UInt8>
        if rest.isEmpty {
            fraction = []
        } else {
            guard rest.first == UInt8(ascii: "."), rest.count <= 4 else { return nil }
            fraction = rest.dropFirst()
        }
        guard fraction.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
        var thousandths = 0
        for (index, digit) in fraction.enumerated() {
            thousandths += Int(digit - UInt8(ascii: "0")) * [100, 10, 1][index]
        }
        switch leading {
        case UInt8(ascii: "0"):
            return thousandths
        case UInt8(ascii: "1"):
            // "1" allows only zeros after the point.
            return thousandths == 0 ? 1000 : nil
        default:
            return nil
        }
    }
}
