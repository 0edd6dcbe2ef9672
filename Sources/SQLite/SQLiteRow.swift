// slipway — SQLite
// SPDX-License-Identifier: Apache-2.0

/// One result row, copied out of its statement: safe to keep, and `Sendable`, so a
/// ``SQLiteDatabase/read(_:)`` closure can return rows.
///
/// Read columns by 0-based index or by name with the same rules as the statement's readers
/// (nil for NULL, nil when the stored value cannot represent the type):
/// ```swift
/// for row in try connection.query("SELECT id, name FROM jobs") {
///     let id = row.int64(at: 0)
///     let name = row.string(named: "name")
/// }
/// ```
public struct SQLiteRow: Sendable, Hashable, CustomStringConvertible {
    /// Column names shared by every row of one statement, with a name → index table.
    final class Columns: Sendable {
        let names: [String]
        let indexes: [String: Int]

        init(_ names: [String]) {
            self.names = names
            var indexes: [String: Int] = [:]
            // The first column of a name wins, as in SQLite's own name lookups.
            for (index, name) in names.enumerated() where indexes[name] == nil { indexes[name] = index }
            self.indexes = indexes
        }
    }

    /// The values, in column order.
    public let values: [SQLiteValue]
    let columns: Columns

    init(values: [SQLiteValue], columns: Columns) {
        self.values = values
        self.columns = columns
    }

    /// Creates a row from names and values (for tests and fakes).
    public init(columnNames: [String], values: [SQLiteValue]) {
        precondition(columnNames.count == values.count, "one value per column")
        self.init(values: values, columns: Columns(columnNames))
    }

    /// The column names, in order.
    public var columnNames: [String] { self.columns.names }

    /// The number of columns.
    public var count: Int { self.values.count }

    /// The index of the first column called `name`, if any.
    public func index(of name: String) -> Int? { self.columns.indexes[name] }

    /// The value of column `index`.
    public subscript(index: Int) -> SQLiteValue { self.values[index] }

    /// The value of the column called `name`, or nil if the row has no such column.
    public subscript(name: String) -> SQLiteValue? { self.index(of: name).map { self.values[$0] } }

    // MARK: - Typed readers

    /// Column `index` as an `Int64` (see ``SQLiteValue/int64Value``).
    public func int64(at index: Int) -> Int64? { self.values[index].int64Value }
    /// Column `index` as an `Int`.
    public func int(at index: Int) -> Int? { self.values[index].int64Value.flatMap(Int.init(exactly:)) }
    /// Column `index` as a `Double` (see ``SQLiteValue/doubleValue``).
    public func double(at index: Int) -> Double? { self.values[index].doubleValue }
    /// Column `index` as a `String` (text only).
    public func string(at index: Int) -> String? { self.values[index].stringValue }
    /// Column `index` as bytes (see ``SQLiteValue/blobValue``).
    public func blob(at index: Int) -> [UInt8]? { self.values[index].blobValue }
    /// Column `index` as a `Bool` (an integer, zero being `false`).
    public func bool(at index: Int) -> Bool? { self.values[index].boolValue }
    /// Whether column `index` is NULL.
    public func isNull(at index: Int) -> Bool { self.values[index].isNull }
    /// Column `index` converted to `T`.
    public func get<T: SQLiteValueConvertible>(_ type: T.Type = T.self, at index: Int) -> T? {
        T(sqliteValue: self.values[index])
    }

    /// The column called `name` as an `Int64`; nil if NULL, not an integer, or no such column.
    public func int64(named name: String) -> Int64? { self[name]?.int64Value }
    /// The column called `name` as an `Int`.
    public func int(named name: String) -> Int? { self[name]?.int64Value.flatMap(Int.init(exactly:)) }
    /// The column called `name` as a `Double`.
    public func double(named name: String) -> Double? { self[name]?.doubleValue }
    /// The column called `name` as a `String`.
    public func string(named name: String) -> String? { self[name]?.stringValue }
    /// The column called `name` as bytes.
    public func blob(named name: String) -> [UInt8]? { self[name]?.blobValue }
    /// The column called `name` as a `Bool`.
    public func bool(named name: String) -> Bool? { self[name]?.boolValue }
    /// The column called `name` converted to `T`.
    public func get<T: SQLiteValueConvertible>(_ type: T.Type = T.self, named name: String) -> T? {
        self[name].flatMap { T(sqliteValue: $0) }
    }

    // MARK: - Equality

    /// Rows are equal when their column names and values are.
    public static func == (lhs: SQLiteRow, rhs: SQLiteRow) -> Bool {
        lhs.values == rhs.values && lhs.columnNames == rhs.columnNames
    }

    /// Hashes the values and column names.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.values)
        hasher.combine(self.columnNames)
    }

    /// `name: value` pairs, for logs and test failures.
    public var description: String {
        "[" + zip(self.columnNames, self.values).map { "\($0): \($1)" }.joined(separator: ", ") + "]"
    }
}
