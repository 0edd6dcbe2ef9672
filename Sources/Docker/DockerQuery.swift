// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

/// The query string of an Engine API call; values are percent-encoded, `nil`s are left out.
struct DockerQuery: Sendable, ExpressibleByDictionaryLiteral {
    private(set) var items: [(name: String, value: String)] = []

    init() {}

    init(dictionaryLiteral elements: (String, String?)...) {
        for (name, value) in elements { self.add(name, value) }
    }

    mutating func add(_ name: String, _ value: String?) {
        guard let value else { return }
        self.items.append((name, value))
    }

    /// Booleans as the engine's Go handlers parse them: `1` / `0`.
    mutating func add(_ name: String, _ value: Bool?) {
        guard let value else { return }
        self.items.append((name, value ? "1" : "0"))
    }

    mutating func add(_ name: String, _ value: Int?) {
        guard let value else { return }
        self.items.append((name, String(value)))
    }

    mutating func add(_ name: String, _ filters: DockerFilters?) {
        guard let filters, !filters.isEmpty else { return }
        self.items.append((name, filters.json))
    }

    /// `?a=1&b=2`, or an empty string.
    var encoded: String {
        guard !self.items.isEmpty else { return "" }
        return "?" + self.items.map { "\(Self.escape($0.name))=\(Self.escape($0.value))" }.joined(separator: "&")
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters.
    static func escape(_ text: String, keeping extra: Set<UInt8> = []) -> String {
        var result: [UInt8] = []
        result.reserveCapacity(text.utf8.count)
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in text.utf8 {
            let unreserved = (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "~")
            if unreserved || extra.contains(byte) {
                result.append(byte)
            } else {
                result.append(UInt8(ascii: "%"))
                result.append(hex[Int(byte >> 4)])
                result.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// A container, volume or exec ID or name as one path segment.
    static func segment(_ text: String) -> String {
        self.escape(text)
    }

    /// An image reference in a path: the engine's router takes `/`, `:` and `@` literally
    /// (`/images/registry:5000/team/app:1/json`).
    static func imageSegment(_ text: String) -> String {
        self.escape(text, keeping: [UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: "@")])
    }
}
