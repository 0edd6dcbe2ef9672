// slipway — DockerGuard
// SPDX-License-Identifier: Apache-2.0

/// A JSON document kept as the engine will read it, so that a request body can be checked and
/// rewritten without losing anything the guard does not understand.
///
/// Numbers keep their literal text: an `int64` such as a memory limit must reach the engine's
/// Go decoder exactly as sent, never through a `Double`. Object members keep their order and
/// their keys as sent; how the engine matches keys to fields is in `JSONTree+GoFields.swift`.
public enum JSONTree: Sendable, Hashable {
    case null
    case bool(Bool)
    /// The number's literal text (RFC 8259 `number`).
    case number(String)
    case string(String)
    case array([JSONTree])
    case object([Member])

    public struct Member: Sendable, Hashable {
        public var key: String
        public var value: JSONTree

        public init(_ key: String, _ value: JSONTree) {
            self.key = key
            self.value = value
        }
    }

    /// Why bytes are not one JSON document.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public var offset: Int
        public var reason: String

        public var description: String { "\(self.reason) at byte \(self.offset)" }
    }

    /// Deeper nesting than any engine request needs is refused, not recursed into.
    public static let maximumDepth = 64

    /// Parses exactly one JSON value (surrounded by optional whitespace). Strings must be UTF-8
    /// and their escapes valid; anything the engine's decoder would read differently (trailing
    /// data, a lone surrogate) is an error rather than a guess.
    public static func parse(_ bytes: [UInt8]) throws(ParseError) -> JSONTree {
        var parser = JSONTreeParser(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw parser.error("unexpected data after the JSON value") }
        return value
    }

    /// The compact JSON text of the value.
    public var serialized: [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        self.write(to: &output)
        return output
    }

    private func write(to output: inout [UInt8]) {
        switch self {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let flag): output.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let text): output.append(contentsOf: text.utf8)
        case .string(let text): Self.writeString(text, to: &output)
        case .array(let items):
            output.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                item.write(to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                Self.writeString(member.key, to: &output)
                output.append(UInt8(ascii: ":"))
                member.value.write(to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    static func writeString(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                           Self.hexDigits[Int(byte >> 4)], Self.hexDigits[Int(byte & 0xF)]])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}

/// A recursive-descent parser over bytes; positions in errors are byte offsets.
struct JSONTreeParser {
    let bytes: [UInt8]
    var index = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    func error(_ reason: String) -> JSONTree.ParseError { JSONTree.ParseError(offset: self.index, reason: reason) }

    mutating func skipWhitespace() {
        while self.index < self.bytes.count {
            switch self.bytes[self.index] {
            case 0x20, 0x09, 0x0A, 0x0D: self.index += 1
            default: return
            }
        }
    }

    mutating func value(depth: Int) throws(JSONTree.ParseError) -> JSONTree {
        guard depth < JSONTree.maximumDepth else { throw self.error("the JSON is nested more than \(JSONTree.maximumDepth) levels deep") }
        guard self.index < self.bytes.count else { throw self.error("the JSON ends where a value should start") }
        switch self.bytes[self.index] {
        case UInt8(ascii: "{"): return try self.object(depth: depth)
        case UInt8(ascii: "["): return try self.array(depth: depth)
        case UInt8(ascii: "\""): return .string(try self.string())
        case UInt8(ascii: "t"): try self.literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try self.literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try self.literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try self.number())
        default: throw self.error("unexpected character")
        }
    }

    private mutating func literal(_ word: StaticString) throws(JSONTree.ParseError) {
        let count = word.utf8CodeUnitCount
        guard self.index + count <= self.bytes.count else { throw self.error("invalid literal") }
        for offset in 0..<count where self.bytes[self.index + offset] != word.utf8Start[offset] {
            throw self.error("invalid literal")
        }
        self.index += count
    }

    private mutating func object(depth: Int) throws(JSONTree.ParseError) -> JSONTree {
        self.index += 1
        var members: [JSONTree.Member] = []
        self.skipWhitespace()
        if self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: "}") {
            self.index += 1
            return .object(members)
        }
        while true {
            self.skipWhitespace()
            guard self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: "\"") else { throw self.error("an object key must be a string") }
            let key = try self.string()
            self.skipWhitespace()
            guard self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: ":") else { throw self.error("':' expected after an object key") }
            self.index += 1
            self.skipWhitespace()
            members.append(JSONTree.Member(key, try self.value(depth: depth + 1)))
            self.skipWhitespace()
            guard self.index < self.bytes.count else { throw self.error("the JSON ends inside an object") }
            switch self.bytes[self.index] {
            case UInt8(ascii: ","): self.index += 1
            case UInt8(ascii: "}"): self.index += 1; return .object(members)
            default: throw self.error("',' or '}' expected in an object")
            }
        }
    }

    private mutating func array(depth: Int) throws(JSONTree.ParseError) -> JSONTree {
        self.index += 1
        var items: [JSONTree] = []
        self.skipWhitespace()
        if self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: "]") {
            self.index += 1
            return .array(items)
        }
        while true {
            self.skipWhitespace()
            items.append(try self.value(depth: depth + 1))
            self.skipWhitespace()
            guard self.index < self.bytes.count else { throw self.error("the JSON ends inside an array") }
            switch self.bytes[self.index] {
            case UInt8(ascii: ","): self.index += 1
            case UInt8(ascii: "]"): self.index += 1; return .array(items)
            default: throw self.error("',' or ']' expected in an array")
            }
        }
    }

    private mutating func number() throws(JSONTree.ParseError) -> String {
        let start = self.index
        func digits(_ parser: inout JSONTreeParser) -> Int {
            let from = parser.index
            while parser.index < parser.bytes.count, parser.bytes[parser.index] >= 0x30, parser.bytes[parser.index] <= 0x39 { parser.index += 1 }
            return parser.index - from
        }
        if self.bytes[self.index] == UInt8(ascii: "-") { self.index += 1 }
        guard self.index < self.bytes.count else { throw self.error("invalid number") }
        if self.bytes[self.index] == UInt8(ascii: "0") {
            self.index += 1
        } else if digits(&self) == 0 {
            throw self.error("invalid number")
        }
        if self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: ".") {
            self.index += 1
            guard digits(&self) > 0 else { throw self.error("invalid number") }
        }
        if self.index < self.bytes.count, self.bytes[self.index] | 0x20 == UInt8(ascii: "e") {
            self.index += 1
            if self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: "+") || self.bytes[self.index] == UInt8(ascii: "-") { self.index += 1 }
            guard digits(&self) > 0 else { throw self.error("invalid number") }
        }
        return String(decoding: self.bytes[start..<self.index], as: UTF8.self)
    }

    private mutating func string() throws(JSONTree.ParseError) -> String {
        self.index += 1
        var scalars: [UInt8] = []
        var runStart = self.index
        while true {
            guard self.index < self.bytes.count else { throw self.error("the JSON ends inside a string") }
            let byte = self.bytes[self.index]
            if byte == UInt8(ascii: "\"") {
                scalars.append(contentsOf: self.bytes[runStart..<self.index])
                self.index += 1
                break
            }
            if byte < 0x20 { throw self.error("a control character inside a string") }
            if byte != UInt8(ascii: "\\") {
                self.index += 1
                continue
            }
            scalars.append(contentsOf: self.bytes[runStart..<self.index])
            self.index += 1
            guard self.index < self.bytes.count else { throw self.error("the JSON ends inside an escape") }
            let escape = self.bytes[self.index]
            self.index += 1
            switch escape {
            case UInt8(ascii: "\""): scalars.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): scalars.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "/"): scalars.append(UInt8(ascii: "/"))
            case UInt8(ascii: "b"): scalars.append(0x08)
            case UInt8(ascii: "f"): scalars.append(0x0C)
            case UInt8(ascii: "n"): scalars.append(0x0A)
            case UInt8(ascii: "r"): scalars.append(0x0D)
            case UInt8(ascii: "t"): scalars.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try self.hex4()
                if (0xD800...0xDBFF).contains(scalar) {
                    guard self.index + 1 < self.bytes.count, self.bytes[self.index] == UInt8(ascii: "\\"), self.bytes[self.index + 1] == UInt8(ascii: "u") else {
                        throw self.error("a lone UTF-16 surrogate in a string")
                    }
                    self.index += 2
                    let low = try self.hex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw self.error("a lone UTF-16 surrogate in a string") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw self.error("a lone UTF-16 surrogate in a string")
                }
                scalars.append(contentsOf: String(Unicode.Scalar(scalar)!).utf8)
            default:
                throw self.error("an invalid escape in a string")
            }
            runStart = self.index
        }
        guard let text = String(validating: scalars, as: UTF8.self) else { throw self.error("a string that is not UTF-8") }
        return text
    }

    private mutating func hex4() throws(JSONTree.ParseError) -> UInt32 {
        guard self.index + 4 <= self.bytes.count else { throw self.error("a truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = self.bytes[self.index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw self.error("an invalid \\u escape")
            }
            value = value << 4 | digit
            self.index += 1
        }
        return value
    }
}
