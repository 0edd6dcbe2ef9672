// slipway — SQLite
// SPDX-License-Identifier: Apache-2.0

extension SQLiteConnection {
    /// The value of `PRAGMA name` (the first column of its first row), or nil if it returns none.
    ///
    /// ```swift
    /// let mode = try connection.pragma("journal_mode")  // .text("wal")
    /// ```
    /// - Throws: ``SQLiteError/Code/misuse`` if `name` is not a pragma name (pragmas cannot take
    ///   bound parameters, so the name is checked and inserted into the SQL).
    public func pragma(_ name: String) throws -> SQLiteValue? {
        try Self.checkPragmaName(name, path: self.path)
        return try self.query("PRAGMA \(name)").first?.values.first
    }

    /// Runs `PRAGMA name = value` and returns what the pragma answers, if anything (for example
    /// `journal_mode` returns the mode now in effect, which may differ from the one asked for).
    @discardableResult
    public func setPragma(_ name: String, to value: SQLiteValue) throws -> SQLiteValue? {
        try Self.checkPragmaName(name, path: self.path)
        let literal: String
        switch value {
        case .integer, .real, .text: literal = value.description
        case .null, .blob:
            throw SQLiteError(code: .misuse, message: "a pragma value is a number or a name", path: self.path)
        }
        // Pragma statements are not cached: they run once per connection.
        let statement = try self.prepare("PRAGMA \(name) = \(literal)")
        return try statement.query().first?.values.first
    }

    /// The rows of a pragma that returns a table, such as `foreign_key_check` or
    /// `table_info` with the argument `"jobs"` (passed as a quoted string literal).
    public func pragmaRows(_ name: String, argument: String? = nil) throws -> [SQLiteRow] {
        try Self.checkPragmaName(name, path: self.path)
        let sql = argument.map { "PRAGMA \(name)(\(SQLiteValue.text($0)))" } ?? "PRAGMA \(name)"
        return try self.prepare(sql).query()
    }

    private static func checkPragmaName(_ name: String, path: String) throws {
        let valid =
            !name.isEmpty
            && name.utf8.allSatisfy { byte in
                (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39)
                    || byte == 0x5F || byte == 0x2E
            }
        guard valid else {
            throw SQLiteError(code: .misuse, message: "\(name) is not a pragma name", path: path)
        }
    }
}
