// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

/// Header (or trailer) fields in the order they were received or added.
///
/// Kept as a list, never a dictionary: duplicates matter for framing (two `Content-Length`
/// lines) and for `Host`. Names compare case-insensitively.
public struct HTTPFields: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    public struct Field: Sendable, Hashable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public private(set) var fields: [Field]

    public init() { self.fields = [] }

    public init(_ fields: [Field]) { self.fields = fields }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.fields = elements.map { Field(name: $0.0, value: $0.1) }
    }

    public var count: Int { self.fields.count }
    public var isEmpty: Bool { self.fields.isEmpty }

    public func makeIterator() -> IndexingIterator<[Field]> { self.fields.makeIterator() }

    /// The first value of `name`, or `nil`.
    public subscript(name: String) -> String? {
        for field in self.fields where field.name.equalsASCIICaseInsensitive(name) { return field.value }
        return nil
    }

    /// Every value of `name`, in order.
    public func values(_ name: String) -> [String] {
        self.fields.compactMap { $0.name.equalsASCIICaseInsensitive(name) ? $0.value : nil }
    }

    /// How many field lines are named `name`.
    public func count(of name: String) -> Int {
        self.fields.reduce(0) { $0 + ($1.name.equalsASCIICaseInsensitive(name) ? 1 : 0) }
    }

    public func contains(_ name: String) -> Bool {
        self.fields.contains { $0.name.equalsASCIICaseInsensitive(name) }
    }

    /// The comma-separated members of every `name` line, trimmed and lowercased
    /// (e.g. `Connection: keep-alive, Upgrade` → `["keep-alive", "upgrade"]`).
    public func tokens(_ name: String) -> [String] {
        var result: [String] = []
        for field in self.fields where field.name.equalsASCIICaseInsensitive(name) {
            for member in field.value.utf8.split(separator: UInt8(ascii: ",")) {
                let token = Substring(member).trimmingHTTPWhitespace()
                if !token.isEmpty { result.append(token.lowercasedASCII()) }
            }
        }
        return result
    }

    mutating func reserveCapacity(_ count: Int) {
        self.fields.reserveCapacity(count)
    }

    public mutating func append(name: String, value: String) {
        self.fields.append(Field(name: name, value: value))
    }

    /// Replaces every `name` line with one line carrying `value`.
    public mutating func set(name: String, value: String) {
        self.remove(name)
        self.append(name: name, value: value)
    }

    public mutating func remove(_ name: String) {
        self.fields.removeAll { $0.name.equalsASCIICaseInsensitive(name) }
    }
}

extension StringProtocol {
    /// ASCII case-insensitive equality, the comparison HTTP field names and tokens use.
    @inlinable
    public func equalsASCIICaseInsensitive(_ other: some StringProtocol) -> Bool {
        guard self.utf8.count == other.utf8.count else { return false }
        // Native strings are contiguous UTF-8: compare the bytes directly.
        if let result = self.utf8.withContiguousStorageIfAvailable({ left in
            other.utf8.withContiguousStorageIfAvailable({ right in ASCIICase.equal(left, right) })
        }), let result { return result }
        var left = self.utf8.makeIterator()
        var right = other.utf8.makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil): return true
            case (let a?, let b?):
                if a == b { continue }
                let lowerA = (a >= 0x41 && a <= 0x5A) ? a | 0x20 : a
                let lowerB = (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b
                if lowerA != lowerB { return false }
            default: return false
            }
        }
    }

    /// The string with ASCII letters lowercased (HTTP tokens are ASCII).
    public func lowercasedASCII() -> String {
        String(decoding: self.utf8.map { ($0 >= 0x41 && $0 <= 0x5A) ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    /// The string without leading and trailing spaces and tabs (RFC 9110 OWS).
    public func trimmingHTTPWhitespace() -> Substring {
        let string = Substring(self)
        let utf8 = string.utf8
        guard let first = utf8.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }) else { return "" }
        let last = utf8.lastIndex(where: { $0 != 0x20 && $0 != 0x09 })!
        return Substring(utf8[first...last])
    }
}

/// Byte-level ASCII case folding.
public enum ASCIICase {
    @inlinable
    public static func equal(_ left: UnsafeBufferPointer<UInt8>, _ right: UnsafeBufferPointer<UInt8>) -> Bool {
        guard left.count == right.count else { return false }
        for index in 0..<left.count {
            let a = left[index]
            let b = right[index]
            if a == b { continue }
            if (a | 0x20) != (b | 0x20) { return false }
            let lower = a | 0x20
            if lower < UInt8(ascii: "a") || lower > UInt8(ascii: "z") { return false }
        }
        return true
    }
}
