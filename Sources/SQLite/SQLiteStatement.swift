// slipway — SQLite
// SPDX-License-Identifier: Apache-2.0

import CSQLite

/// A prepared statement (`sqlite3_stmt*`), finalized when released.
///
/// Like its connection it is used by one thread at a time and is not `Sendable`. Bind values
/// (``bind(_:at:)``, ``bind(_:named:)``), then ``step()`` through the rows and read columns
/// with the typed readers (``int64(at:)``, ``string(at:)``, …), or let ``execute(_:)`` and
/// ``query(_:)`` do all of it.
/// ```swift
/// let statement = try connection.prepare("SELECT id, name FROM jobs WHERE state = :state")
/// try statement.bind("queued", named: "state")
/// while try statement.step() {
///     let id = statement.int64(at: 0), name = statement.string(at: 1)
/// }
/// ```
public final class SQLiteStatement {
    let handle: SQLiteHandle
    private(set) var pointer: OpaquePointer?
    private var cachedColumnNames: SQLiteRow.Columns?

    /// The SQL text the statement was prepared from.
    public let sql: String

    init(handle: SQLiteHandle, pointer: OpaquePointer, sql: String) {
        self.handle = handle
        self.pointer = pointer
        self.sql = sql
    }

    deinit {
        self.finalize()
    }

    /// Releases the C statement; the connection's cache calls it before the connection closes.
    func finalize() {
        guard let pointer = self.pointer else { return }
        sqlite3_finalize(pointer)
        self.pointer = nil
    }

    /// The statement, or a misuse error once it or its connection is closed.
    func live() throws -> OpaquePointer {
        guard self.handle.isOpen, let pointer = self.pointer else {
            throw SQLiteError.closed("the connection", path: self.handle.path, sql: self.sql)
        }
        return pointer
    }

    // MARK: - Running

    /// Runs the statement to its next row.
    ///
    /// - Returns: `true` when a row is ready to read, `false` when the statement has finished.
    /// - Throws: ``SQLiteError`` with this statement's SQL. The statement is then reset.
    @discardableResult
    public func step() throws -> Bool {
        let pointer = try self.live()
        let code = sqlite3_step(pointer)
        switch code {
        case SQLITE_ROW:
            return true
        case SQLITE_DONE:
            return false
        default:
            let error = self.handle.error(code, sql: self.sql)
            sqlite3_reset(pointer)
            throw error
        }
    }

    /// Rewinds the statement so it can run again; bindings are kept.
    ///
    /// `sqlite3_reset` returns the error of the last ``step()`` again, which ``step()`` has
    /// already thrown, so the result is ignored.
    public func reset() {
        guard let pointer = self.pointer, self.handle.isOpen else { return }
        sqlite3_reset(pointer)
    }

    /// Sets every parameter back to NULL.
    public func clearBindings() {
        guard let pointer = self.pointer, self.handle.isOpen else { return }
        sqlite3_clear_bindings(pointer)
    }

    /// Whether the statement has been stepped but has neither finished nor been reset
    /// (`sqlite3_stmt_busy`).
    public var isBusy: Bool {
        guard let pointer = self.pointer, self.handle.isOpen else { return false }
        return sqlite3_stmt_busy(pointer) != 0
    }

    /// Whether the statement makes no direct change to the database (`sqlite3_stmt_readonly`).
    public var isReadOnly: Bool {
        guard let pointer = self.pointer, self.handle.isOpen else { return true }
        return sqlite3_stmt_readonly(pointer) != 0
    }

    /// Binds `bindings` (when given), runs the statement to completion discarding any rows, and
    /// resets it.
    public func execute(_ bindings: [(any SQLiteValueConvertible)?]? = nil) throws {
        if let bindings { try self.bind(bindings) }
        defer { self.reset() }
        while try self.step() {}
    }

    /// Binds `bindings` by name, runs the statement to completion and resets it.
    public func execute(_ bindings: [String: (any SQLiteValueConvertible)?]) throws {
        try self.bind(bindings)
        defer { self.reset() }
        while try self.step() {}
    }

    /// Binds `bindings` (when given) and returns every row.
    public func query(_ bindings: [(any SQLiteValueConvertible)?]? = nil) throws -> [SQLiteRow] {
        if let bindings { try self.bind(bindings) }
        defer { self.reset() }
        var rows: [SQLiteRow] = []
        while try self.step() { rows.append(self.row()) }
        return rows
    }

    /// Binds `bindings` (when given) and calls `body` with each row, stopping early if it
    /// throws. The statement is reset afterwards.
    public func forEach(
        _ bindings: [(any SQLiteValueConvertible)?]? = nil,
        _ body: (SQLiteRow) throws -> Void
    ) throws {
        if let bindings { try self.bind(bindings) }
        defer { self.reset() }
        while try self.step() { try body(self.row()) }
    }

    // MARK: - Columns

    /// The number of columns in a result row.
    public var columnCount: Int {
        guard let pointer = self.pointer, self.handle.isOpen else { return 0 }
        return Int(sqlite3_column_count(pointer))
    }

    /// The name of column `index` (0-based), as `AS` gives it or SQLite derives it.
    public func columnName(at index: Int) -> String {
        guard let pointer = self.pointer, self.handle.isOpen, let name = sqlite3_column_name(pointer, Int32(index))
        else { return "" }
        return String(cString: name)
    }

    /// The result column names, in order.
    public var columnNames: [String] { self.columns.names }

    var columns: SQLiteRow.Columns {
        // A statement re-prepared after a schema change may have different columns (`SELECT *`).
        if let columns = self.cachedColumnNames, columns.names.count == self.columnCount { return columns }
        let columns = SQLiteRow.Columns((0..<self.columnCount).map(self.columnName(at:)))
        self.cachedColumnNames = columns
        return columns
    }

    /// The current row, copied out of the statement.
    public func row() -> SQLiteRow {
        SQLiteRow(values: (0..<self.columnCount).map(self.value(at:)), columns: self.columns)
    }
}
