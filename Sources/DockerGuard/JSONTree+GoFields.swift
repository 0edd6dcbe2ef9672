// slipway — DockerGuard
// SPDX-License-Identifier: Apache-2.0

/// Reading and writing struct fields the way the engine's Go decoder matches them.
///
/// Go's `encoding/json` matches an object key to a struct field case-insensitively (with
/// Unicode simple folding, so `ſ` (U+017F) matches `s` and the Kelvin sign (U+212A) matches
/// `k`), and when several keys match one field the last wins — except that `null` leaves a
/// scalar unchanged. A guard that looked only for `"Privileged"` would let
/// `"privileged": true` through. So every field the guard reads is found through its folded
/// name, two keys for one field are refused as ambiguous, and every field it writes replaces
/// all matching keys with one canonical key.
extension JSONTree {
    /// The key as Go compares it with a field name: ASCII letters lowercased, and the two
    /// non-ASCII characters that fold onto ASCII letters replaced by them.
    static func foldedKey(_ key: String) -> String {
        var folded = ""
        folded.unicodeScalars.reserveCapacity(key.unicodeScalars.count)
        for scalar in key.unicodeScalars {
            switch scalar.value {
            case 0x41...0x5A: folded.unicodeScalars.append(Unicode.Scalar(scalar.value | 0x20)!)
            case 0x017F: folded.unicodeScalars.append("s")
            case 0x212A: folded.unicodeScalars.append("k")
            default: folded.unicodeScalars.append(scalar)
            }
        }
        return folded
    }

    var members: [Member]? {
        if case .object(let members) = self { return members }
        return nil
    }

    var isNull: Bool { self == .null }

    /// The members whose keys the engine would decode into struct field `name`.
    func membersMatching(field name: String) -> [Member] {
        guard let members = self.members else { return [] }
        let target = name.lowercased()
        return members.filter { Self.foldedKey($0.key) == target }
    }

    /// The value of struct field `name`; `nil` when absent or `null`.
    ///
    /// - Parameter path: where this object is, for messages (`HostConfig`).
    func field(_ name: String, in path: String) throws(GuardRefusal) -> JSONTree? {
        let matching = self.membersMatching(field: name)
        if matching.count > 1 {
            throw GuardRefusal.badRequest("\(Self.join(path, name)) is given \(matching.count) times (keys match fields case-insensitively); give it once")
        }
        guard let value = matching.first?.value, !value.isNull else { return nil }
        return value
    }

    /// Replaces every key matching struct field `name` with one canonical `name` member, or
    /// removes them when `value` is nil.
    mutating func setField(_ name: String, _ value: JSONTree?) {
        guard case .object(var members) = self else { return }
        let target = name.lowercased()
        members.removeAll { Self.foldedKey($0.key) == target }
        if let value { members.append(Member(name, value)) }
        self = .object(members)
    }

    static func join(_ path: String, _ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    // MARK: - Typed fields

    func bool(_ name: String, in path: String) throws(GuardRefusal) -> Bool? {
        guard let value = try self.field(name, in: path) else { return nil }
        guard case .bool(let flag) = value else { throw Self.typeError(path, name, "true or false") }
        return flag
    }

    func string(_ name: String, in path: String) throws(GuardRefusal) -> String? {
        guard let value = try self.field(name, in: path) else { return nil }
        guard case .string(let text) = value else { throw Self.typeError(path, name, "a string") }
        return text
    }

    /// An `int64` field: Go accepts only an integer literal in range (no fraction, no exponent).
    func integer(_ name: String, in path: String) throws(GuardRefusal) -> Int64? {
        guard let value = try self.field(name, in: path) else { return nil }
        guard case .number(let text) = value, let number = Int64(text) else { throw Self.typeError(path, name, "an integer") }
        return number
    }

    /// A `[]string` field; a `null` element decodes to "" in Go.
    func strings(_ name: String, in path: String) throws(GuardRefusal) -> [String]? {
        guard let value = try self.field(name, in: path) else { return nil }
        return try Self.stringList(value, Self.join(path, name))
    }

    /// A `strslice.StrSlice` field (`CapAdd`, `Cmd`): one string or a list of strings.
    func stringOrStrings(_ name: String, in path: String) throws(GuardRefusal) -> [String]? {
        guard let value = try self.field(name, in: path) else { return nil }
        if case .string(let text) = value { return [text] }
        return try Self.stringList(value, Self.join(path, name))
    }

    /// A struct field holding an object; `nil` when absent or `null`.
    func object(_ name: String, in path: String) throws(GuardRefusal) -> JSONTree? {
        guard let value = try self.field(name, in: path) else { return nil }
        guard case .object = value else { throw Self.typeError(path, name, "an object") }
        return value
    }

    /// A `[]T` field of objects (or nulls, which Go decodes to zero values).
    func objects(_ name: String, in path: String) throws(GuardRefusal) -> [JSONTree]? {
        guard let value = try self.field(name, in: path) else { return nil }
        guard case .array(let items) = value else { throw Self.typeError(path, name, "a list") }
        for item in items {
            switch item {
            case .object, .null: continue
            default: throw Self.typeError(path, name, "a list of objects")
            }
        }
        return items
    }

    /// A `map[string]string` field: exact keys (maps do not fold), last duplicate wins.
    func stringMap(_ name: String, in path: String) throws(GuardRefusal) -> [(key: String, value: String)]? {
        guard let value = try self.field(name, in: path) else { return nil }
        guard case .object(let members) = value else { throw Self.typeError(path, name, "an object of strings") }
        var pairs: [(key: String, value: String)] = []
        for member in members {
            switch member.value {
            case .string(let text): pairs.append((member.key, text))
            case .null: pairs.append((member.key, ""))
            default: throw Self.typeError(path, "\(name).\(member.key)", "a string")
            }
        }
        return pairs
    }

    static func stringList(_ value: JSONTree, _ path: String) throws(GuardRefusal) -> [String] {
        guard case .array(let items) = value else { throw GuardRefusal.badRequest("\(path) must be a list of strings") }
        var strings: [String] = []
        for item in items {
            switch item {
            case .string(let text): strings.append(text)
            case .null: strings.append("")
            default: throw GuardRefusal.badRequest("\(path) must be a list of strings")
            }
        }
        return strings
    }

    static func typeError(_ path: String, _ name: String, _ expected: String) -> GuardRefusal {
        GuardRefusal.badRequest("\(Self.join(path, name)) must be \(expected)")
    }
}
