// slipway — YAML
// SPDX-License-Identifier: Apache-2.0

/// A node's type: a YAML tag such as `tag:yaml.org,2002:int`, or a local one (`!reference`).
public struct YAMLTag: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let str = YAMLTag(rawValue: "tag:yaml.org,2002:str")
    public static let seq = YAMLTag(rawValue: "tag:yaml.org,2002:seq")
    public static let map = YAMLTag(rawValue: "tag:yaml.org,2002:map")
    public static let null = YAMLTag(rawValue: "tag:yaml.org,2002:null")
    public static let bool = YAMLTag(rawValue: "tag:yaml.org,2002:bool")
    public static let int = YAMLTag(rawValue: "tag:yaml.org,2002:int")
    public static let float = YAMLTag(rawValue: "tag:yaml.org,2002:float")
    /// `<<`: the mapping's entries are merged from the value (a mapping or a list of them).
    public static let merge = YAMLTag(rawValue: "tag:yaml.org,2002:merge")
    public static let timestamp = YAMLTag(rawValue: "tag:yaml.org,2002:timestamp")
    /// `=`: the "default value" key of YAML 1.1.
    public static let value = YAMLTag(rawValue: "tag:yaml.org,2002:value")

    public var description: String { self.rawValue }
}

// MARK: - Implicit resolution

extension YAMLTag {
    /// The tag of a plain (unquoted, untagged) scalar, by YAML 1.1's rules as Ruby's Psych and
    /// Yams' default resolver apply them: bool, int, float, merge, null, timestamp, value, in
    /// that order; anything else is a string. The patterns are those of Yams' `Resolver.Rule`s,
    /// matched by hand:
    ///
    /// - bool: `yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF`
    /// - int: `[-+]?0b[0-1_]+`, `[-+]?0o?[0-7_]+`, `[-+]?(0|[1-9][0-9_]*)`, `[-+]?0x[0-9a-fA-F_]+`,
    ///   `[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+` (base 60)
    /// - float: `[-+]?[0-9][0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?`, `\.[0-9_]+([eE][-+][0-9]+)?`,
    ///   `[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*`, `[-+]?\.(inf|Inf|INF)`, `\.(nan|NaN|NAN)`
    /// - merge: `<<`; null: `~`, `null`, `Null`, `NULL` or nothing; value: `=`
    /// - timestamp: `YYYY-MM-DD`, or `YYYY-M-D` with a time `[Tt ]HH:MM:SS[.fraction][ ][Z|±HH[:MM]]`
    public static func resolve(plain text: String) -> YAMLTag {
        var text = text
        return text.withUTF8 { bytes in
            let scanner = PlainScalar(bytes)
            if scanner.isBool { return .bool }
            if scanner.isInt { return .int }
            if scanner.isFloat { return .float }
            if scanner.isMerge { return .merge }
            if scanner.isNull { return .null }
            if scanner.isTimestamp { return .timestamp }
            if scanner.isValue { return .value }
            return .str
        }
    }
}

/// The matchers behind ``YAMLTag/resolve(plain:)``, on the scalar's UTF-8 bytes. Every pattern
/// is ASCII, so a scalar with any other byte is a string.
private struct PlainScalar {
    let bytes: UnsafeBufferPointer<UInt8>

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    private static func isDigitOrUnderscore(_ byte: UInt8) -> Bool { isDigit(byte) || byte == 0x5F }
    private static func isSign(_ byte: UInt8) -> Bool { byte == 0x2B || byte == 0x2D }

    private func equals(_ literal: StaticString) -> Bool {
        literal.withUTF8Buffer { $0.elementsEqual(self.bytes) }
    }

    private func isOneOf(_ literals: StaticString...) -> Bool {
        literals.contains { self.equals($0) }
    }

    /// The index after an optional leading `+` or `-`.
    private var afterSign: Int {
        if let first = self.bytes.first, Self.isSign(first) { return 1 }
        return 0
    }

    /// Whether `bytes[from...]` is not empty and every byte passes `test`.
    private func allNonEmpty(from start: Int, _ test: (UInt8) -> Bool) -> Bool {
        start < self.bytes.count && self.bytes[start...].allSatisfy(test)
    }

    private func byte(at index: Int) -> UInt8? {
        index < self.bytes.count ? self.bytes[index] : nil
    }

    var isBool: Bool {
        self.isOneOf("yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
                     "on", "On", "ON", "off", "Off", "OFF")
    }

    var isNull: Bool { self.bytes.isEmpty || self.isOneOf("~", "null", "Null", "NULL") }
    var isMerge: Bool { self.equals("<<") }
    var isValue: Bool { self.equals("=") }

    var isInt: Bool {
        let start = self.afterSign
        guard let first = self.byte(at: start) else { return false }
        if first == 0x30 { // 0
            let next = self.byte(at: start + 1)
            if next == nil { return true } // 0
            // 0b[0-1_]+
            if next == 0x62, self.allNonEmpty(from: start + 2, { $0 == 0x30 || $0 == 0x31 || $0 == 0x5F }) { return true }
            // 0x[0-9a-fA-F_]+
            if next == 0x78, self.allNonEmpty(from: start + 2, { Self.isDigitOrUnderscore($0) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x66) }) {
                return true
            }
            // 0o?[0-7_]+
            let isOctal: (UInt8) -> Bool = { ($0 >= 0x30 && $0 <= 0x37) || $0 == 0x5F }
            if next == 0x6F, self.allNonEmpty(from: start + 2, isOctal) { return true }
            return self.allNonEmpty(from: start + 1, isOctal)
        }
        guard first >= 0x31 && first <= 0x39 else { return false }
        // [1-9][0-9_]*, then optionally base-60 groups (:[0-5]?[0-9])+
        var index = start + 1
        while let byte = self.byte(at: index), Self.isDigitOrUnderscore(byte) { index += 1 }
        if index == self.bytes.count { return true }
        guard let end = self.sexagesimalGroups(from: index) else { return false }
        return end == self.bytes.count
    }

    /// One or more `:[0-5]?[0-9]` from `index`; the index after them, or nil if there is none.
    /// Each group ends where the next `:` (or anything else) starts, which is how the regular
    /// expression's backtracking resolves it too.
    private func sexagesimalGroups(from index: Int) -> Int? {
        var index = index
        var groups = 0
        while self.byte(at: index) == 0x3A {
            var digits = 0
            while let byte = self.byte(at: index + 1 + digits), Self.isDigit(byte) { digits += 1 }
            switch digits {
            case 1: break
            case 2 where self.bytes[index + 1] <= 0x35: break
            default: return nil
            }
            index += 1 + digits
            groups += 1
        }
        return groups > 0 ? index : nil
    }

    var isFloat: Bool {
        if self.isOneOf(".nan", ".NaN", ".NAN") { return true }
        let start = self.afterSign
        guard let first = self.byte(at: start) else { return false }
        if first == 0x2E { // .
            // [-+]?\.(inf|Inf|INF)
            let rest = UnsafeBufferPointer(rebasing: self.bytes[(start + 1)...])
            if ["inf", "Inf", "INF"].contains(where: { (literal: StaticString) in literal.withUTF8Buffer { $0.elementsEqual(rest) } }) {
                return true
            }
            // \.[0-9_]+([eE][-+][0-9]+)? — no sign allowed in front
            guard start == 0 else { return false }
            var index = 1
            while let byte = self.byte(at: index), Self.isDigitOrUnderscore(byte) { index += 1 }
            guard index > 1 else { return false }
            if index == self.bytes.count { return true }
            return self.isExponent(from: index, signRequired: true)
        }
        guard Self.isDigit(first) else { return false }
        var index = start + 1
        while let byte = self.byte(at: index), Self.isDigitOrUnderscore(byte) { index += 1 }
        // [-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]* (base 60)
        if self.byte(at: index) == 0x3A {
            guard let end = self.sexagesimalGroups(from: index), self.byte(at: end) == 0x2E else { return false }
            return self.bytes[(end + 1)...].allSatisfy(Self.isDigitOrUnderscore)
        }
        // [-+]?[0-9][0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?
        if self.byte(at: index) == 0x2E {
            index += 1
            while let byte = self.byte(at: index), Self.isDigitOrUnderscore(byte) { index += 1 }
        }
        if index == self.bytes.count { return true }
        return self.isExponent(from: index, signRequired: false)
    }

    /// `[eE][-+]?[0-9]+` (or `[eE][-+][0-9]+`) from `index` to the end.
    private func isExponent(from index: Int, signRequired: Bool) -> Bool {
        guard let e = self.byte(at: index), e | 0x20 == 0x65 else { return false }
        var index = index + 1
        if let sign = self.byte(at: index), Self.isSign(sign) {
            index += 1
        } else if signRequired {
            return false
        }
        return self.allNonEmpty(from: index, Self.isDigit)
    }

    var isTimestamp: Bool {
        var index = 0
        /// Consumes between `minimum` and `maximum` digits.
        func digits(_ minimum: Int, _ maximum: Int) -> Bool {
            var count = 0
            while count < maximum, let byte = self.byte(at: index), Self.isDigit(byte) { index += 1; count += 1 }
            return count >= minimum
        }
        func consume(_ byte: UInt8) -> Bool {
            guard self.byte(at: index) == byte else { return false }
            index += 1
            return true
        }
        func isBlank(_ byte: UInt8?) -> Bool { byte == 0x20 || byte == 0x09 }
        // [0-9]{4}-[0-9][0-9]?-[0-9][0-9]?
        guard digits(4, 4), consume(0x2D), digits(1, 2), consume(0x2D) else { return false }
        let dayStart = index
        guard digits(1, 2) else { return false }
        // The date alone needs two-digit month and day: [0-9]{4}-[0-9]{2}-[0-9]{2}
        if index == self.bytes.count { return index == 10 && dayStart == 8 }
        // ([Tt]|[ \t]+)[0-9][0-9]?:[0-9]{2}:[0-9]{2}
        if let separator = self.byte(at: index), separator | 0x20 == 0x74 {
            index += 1
        } else {
            guard isBlank(self.byte(at: index)) else { return false }
            while isBlank(self.byte(at: index)) { index += 1 }
        }
        guard digits(1, 2), consume(0x3A), digits(2, 2), consume(0x3A), digits(2, 2) else { return false }
        // (\.[0-9]*)?
        if consume(0x2E) { _ = digits(0, Int.max) }
        if index == self.bytes.count { return true }
        // ([ \t]*(Z|[-+][0-9][0-9]?(:[0-9][0-9])?))?
        while isBlank(self.byte(at: index)) { index += 1 }
        if consume(0x5A) { return index == self.bytes.count }
        guard let sign = self.byte(at: index), Self.isSign(sign) else { return false }
        index += 1
        guard digits(1, 2) else { return false }
        if consume(0x3A) { guard digits(2, 2) else { return false } }
        return index == self.bytes.count
    }
}
