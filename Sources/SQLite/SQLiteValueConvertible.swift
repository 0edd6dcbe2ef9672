// slipway — SQLite
// SPDX-License-Identifier: Apache-2.0

/// A Swift type that converts to and from a ``SQLiteValue``: what can be bound to a statement
/// parameter and read back from a column.
///
/// `Int`, `Int64`, `Int32`, `Double`, `String`, `[UInt8]` (a blob), `Bool`, ``SQLiteValue``
/// and `Optional` of any of them conform, so a binding list can mix them, `nil` included. It
/// refines `Sendable`, so a binding list built outside a ``SQLiteDatabase/write(_:)`` closure
/// can be captured by it:
/// ```swift
/// try connection.execute("INSERT INTO jobs(id, attempts, note) VALUES (?, ?, ?)", [id, 0, nil])
/// ```
public protocol SQLiteValueConvertible: Sendable {
    /// The value to bind.
    var sqliteValue: SQLiteValue { get }
    /// Reads a value back; `nil` for NULL or for a value this type cannot represent.
    init?(sqliteValue: SQLiteValue)
}

extension SQLiteValue: SQLiteValueConvertible {
    public var sqliteValue: SQLiteValue { self }
    public init?(sqliteValue: SQLiteValue) { self = sqliteValue }
}

extension Int64: SQLiteValueConvertible {
    public var sqliteValue: SQLiteValue { .integer(self) }
    public init?(sqliteValue: SQLiteValue) {
        guard let value = sqliteValue.int64Value else { return nil }
        self = value
    }
}

extension Int: SQLiteValueConvertible {
    public var sqliteValue: SQLiteValue { .integer(Int64(self)) }
    public init?(sqliteValue: SQLiteValue) {
        guard let value = sqliteValue.int64Value.flatMap(Int.init(exactly:)) else { return nil }
        self = value
    }
}

extension Int32: SQLiteValueConvertible {
    public var sqliteValue: SQLiteValue { .integer(Int64(self)) }
    public init?(sqliteValue: SQLiteValue) {
        guard let value = sqliteValue.int64Value.flatMap(Int32.init(exactly:)) else { return nil }
        self = value
    }
}

extension Double: SQLiteValueConvertible {
    public var sqliteValue: SQLiteValue { .real(self) }
    public init?(sqliteValue: SQLiteValue) {
        guard let value = sqliteValue.doubleValue else { return nil }
        self = value
    }
}

extension String: SQLiteValueConvertible {
    public var sqliteValue: SQLiteValue { .text(self) }
    public init?(sqliteValue: SQLiteValue) {
        guard let value = sqliteValue.stringValue else { return nil }
        self = value
    }
}

extension Array: SQLiteValueConvertible where Element == UInt8 {
    public var sqliteValue: SQLiteValue { .blob(self) }
    public init?(sqliteValue: SQLiteValue) {
        guard let value = sqliteValue.blobValue else { return nil }
        self = value
    }
}

extension Bool: SQLiteValueConvertible {
    /// `true` is stored as 1 and `false` as 0: SQLite has no boolean storage class.
    public var sqliteValue: SQLiteValue { .integer(self ? 1 : 0) }
    public init?(sqliteValue: SQLiteValue) {
        guard let value = sqliteValue.boolValue else { return nil }
        self = value
    }
}

extension Optional: SQLiteValueConvertible where Wrapped: SQLiteValueConvertible {
    /// `nil` binds NULL.
    public var sqliteValue: SQLiteValue { self?.sqliteValue ?? .null }
    /// NULL reads as `.some(nil)`; any other value must convert to `Wrapped`.
    public init?(sqliteValue: SQLiteValue) {
        if sqliteValue.isNull {
            self = .none
        } else if let value = Wrapped(sqliteValue: sqliteValue) {
            self = .some(value)
        } else {
            return nil
        }
    }
}
