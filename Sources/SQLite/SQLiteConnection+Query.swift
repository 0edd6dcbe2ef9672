// slipway — SQLite
// SPDX-License-Identifier: Apache-2.0

// One-call helpers over the statement cache: each takes one SQL statement and its bindings,
// positional (`?`) or named (`:name`), and leaves the cached statement reset.
extension SQLiteConnection {
    /// Runs one statement with `bindings`, discarding any rows.
    ///
    /// ```swift
    /// try connection.execute("UPDATE jobs SET state = ? WHERE id = ?", ["running", id])
    /// let id = connection.lastInsertRowID  // after an INSERT
    /// ```
    /// - Throws: ``SQLiteError`` with the SQL.
    public func execute(_ sql: String, _ bindings: [(any SQLiteValueConvertible)?]) throws {
        try self.cachedStatement(sql).execute(bindings)
    }

    /// Runs one statement with named `bindings`, discarding any rows.
    public func execute(_ sql: String, _ bindings: [String: (any SQLiteValueConvertible)?]) throws {
        try self.cachedStatement(sql).execute(bindings)
    }

    /// Runs one query and returns every row.
    public func query(_ sql: String, _ bindings: [(any SQLiteValueConvertible)?] = []) throws -> [SQLiteRow] {
        try self.cachedStatement(sql).query(bindings)
    }

    /// Runs one query with named `bindings` and returns every row.
    public func query(_ sql: String, _ bindings: [String: (any SQLiteValueConvertible)?]) throws -> [SQLiteRow] {
        let statement = try self.cachedStatement(sql)
        try statement.bind(bindings)
        return try statement.query()
    }

    /// Runs one query and returns its first row, if any: the point lookup.
    public func first(_ sql: String, _ bindings: [(any SQLiteValueConvertible)?] = []) throws -> SQLiteRow? {
        let statement = try self.cachedStatement(sql)
        try statement.bind(bindings)
        defer { statement.reset() }
        return try statement.step() ? statement.row() : nil
    }

    /// Runs one query with named `bindings` and returns its first row, if any.
    public func first(_ sql: String, _ bindings: [String: (any SQLiteValueConvertible)?]) throws -> SQLiteRow? {
        let statement = try self.cachedStatement(sql)
        try statement.bind(bindings)
        defer { statement.reset() }
        return try statement.step() ? statement.row() : nil
    }

    /// Runs one query and calls `body` with each row as it is read, without collecting them.
    /// The body may run other statements on this connection, the same SQL included.
    public func forEach(
        _ sql: String,
        _ bindings: [(any SQLiteValueConvertible)?] = [],
        _ body: (SQLiteRow) throws -> Void
    ) throws {
        try self.cachedStatement(sql).forEach(bindings, body)
    }
}
