// slipway — WebUI
// SPDX-License-Identifier: Apache-2.0

/// An HTML document being written. Markup goes in through ``raw(_:)``, which takes only
/// static strings, so text from a job (names, refs, images, log bytes, messages) can reach the
/// page only through ``text(_:)`` and ``attribute(_:_:)``, which escape it.
struct HTML {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 16 * 1024) {
        self.bytes.reserveCapacity(capacity)
    }

    /// Markup written by this module.
    mutating func raw(_ markup: StaticString) {
        markup.withUTF8Buffer { self.bytes.append(contentsOf: $0) }
    }

    /// A number (ids, counts): digits need no escaping.
    mutating func number(_ value: some BinaryInteger) {
        self.bytes.append(contentsOf: String(value).utf8)
    }

    /// Text content, escaped.
    mutating func text(_ text: some StringProtocol) {
        Self.escape(text, into: &self.bytes)
    }

    /// ` name="value"`, the value escaped.
    mutating func attribute(_ name: StaticString, _ value: some StringProtocol) {
        self.raw(" ")
        self.raw(name)
        self.raw("=\"")
        Self.escape(value, into: &self.bytes)
        self.raw("\"")
    }

    /// A link's `href` to one of this server's paths: `path` is built by this module from ids
    /// and percent-encoded values, and escaped like any attribute.
    mutating func href(_ path: String) {
        self.attribute("href", path)
    }

    /// Escapes `&<>"'` as character references, and replaces what the HTML parser reports as
    /// errors in text — control characters other than tab, line feed and form feed, and Unicode
    /// noncharacters — with visible stand-ins: C0 controls with their control pictures (␛ for
    /// ESC), the rest with U+FFFD. The page stays well-formed whatever bytes a job printed.
    static func escape(_ text: some StringProtocol, into bytes: inout [UInt8]) {
        for scalar in text.unicodeScalars {
            let value = scalar.value
            switch value {
            case 0x26: bytes.append(contentsOf: "&amp;".utf8)
            case 0x3C: bytes.append(contentsOf: "&lt;".utf8)
            case 0x3E: bytes.append(contentsOf: "&gt;".utf8)
            case 0x22: bytes.append(contentsOf: "&quot;".utf8)
            case 0x27: bytes.append(contentsOf: "&#39;".utf8)
            case 0x09, 0x0A: bytes.append(UInt8(value))
            case 0x00..<0x20: Self.append(Unicode.Scalar(0x2400 + value)!, to: &bytes)
            case 0x7F: Self.append(Unicode.Scalar(0x2421)!, to: &bytes)
            case 0x20..<0x7F: bytes.append(UInt8(value))
            default:
                Self.append(Self.isDisallowed(value) ? Unicode.Scalar(0xFFFD)! : scalar, to: &bytes)
            }
        }
    }

    /// C1 controls and noncharacters (U+FDD0–U+FDEF, and U+xFFFE/U+xFFFF in every plane).
    static func isDisallowed(_ value: UInt32) -> Bool {
        (0x80...0x9F).contains(value) || (0xFDD0...0xFDEF).contains(value) || value & 0xFFFE == 0xFFFE
    }

    private static func append(_ scalar: Unicode.Scalar, to bytes: inout [UInt8]) {
        var encoded: [UInt8] = []
        UTF8.encode(scalar) { encoded.append($0) }
        bytes.append(contentsOf: encoded)
    }
}

/// Percent-encoding of values put into a query string this module builds.
enum URLComponent {
    static func encode(_ value: String) -> String {
        var output = ""
        for byte in value.utf8 {
            let unreserved = (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "~")
            if unreserved {
                output.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                output.unicodeScalars.append("%")
                output.unicodeScalars.append(hex[Int(byte >> 4)])
                output.unicodeScalars.append(hex[Int(byte & 0xF)])
            }
        }
        return output
    }
}
