// slipway — SQLite
// SPDX-License-Identifier: Apache-2.0

/// A value as SQLite stores it: one of its five storage classes
/// (https://www.sqlite.org/datatype3.html).
///
/// Used for bindings and for reading columns. Literals work directly:
/// `let values: [SQLiteValue] = [1, "text", 2.5, nil, true]`.
public enum SQLiteValue: Sendable, Hashable {
    /// SQL NULL.
    case null
    /// A signed 64-bit integer.
    case integer(Int64)
    /// An IEEE 754 double.
    case real(Double)
    /// UTF-8 text.
    case text(String)
    /// Bytes, stored as given.
    case blob([UInt8])

    /// Whether the value is SQL NULL.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    // MARK: - Conversions
    //
    // One set of rules for every typed reader (SQLiteStatement, SQLiteRow): NULL reads as nil,
    // and a value whose storage class cannot represent the requested type without loss also
    // reads as nil, instead of SQLite's silent coercions (text "12abc" as integer 12). Declare
    // tables STRICT (https://www.sqlite.org/stricttables.html) and a nil means NULL.

    /// The value as an `Int64`: an integer, or a real with an exact integer value.
    public var int64Value: Int64? {
        switch self {
        case .integer(let value): value
        case .real(let value): Int64(exactly: value)
        default: nil
        }
    }

    /// The value as a `Double`: a real, or an integer converted to the nearest double.
    public var doubleValue: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .real(let value): value
        default: nil
        }
    }

    /// The value as a `String`: text only.
    public var stringValue: String? {
        if case .text(let value) = self { return value }
        return nil
    }

    /// The value as bytes: a blob, or text as its UTF-8 bytes.
    public var blobValue: [UInt8]? {
        switch self {
        case .blob(let value): value
        case .text(let value): Array(value.utf8)
        default: nil
        }
    }

    /// The value as a `Bool`: an integer, zero being `false`.
    public var boolValue: Bool? {
        if case .integer(let value) = self { return value != 0 }
        return nil
    }
}

extension SQLiteValue: ExpressibleByNilLiteral {
    public init(nilLiteral: ()) { self = .null }
}

extension SQLiteValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int64) { self = .integer(value) }
}

extension SQLiteValue: ExpressibleByFloatLiteral {
    public init(floatLiteral value: Double) { self = .real(value) }
}

extension SQLiteValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .text(value) }
}

extension SQLiteValue: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) { self = .integer(value ? 1 : 0) }
}

extension SQLiteValue: CustomStringConvertible {
    /// The value as an SQL literal, for messages and ``SQLiteConnection/setPragma(_:to:)``.
    public var description: String {
        switch self {
        case .null: "NULL"
        case .integer(let value): String(value)
        case .real(let value): String(value)
        case .text(let value): "'" + value.replacing("'", with: "''") + "'"
        case .blob(let value): "X'" + value.map { byte in
            let hex = String(byte, radix: 16, uppercase: true)
            return byte < 16 ? "0" + hex : hex
        }.joined() + "'"
        }
    }
}
