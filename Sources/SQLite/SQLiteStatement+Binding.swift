// slipway — SQLite
// SPDX-License-Identifier: Apache-2.0

import CSQLite

extension SQLiteStatement {
    /// The number of parameters (`?`, `?NNN`, `:name`, `@name`, `$name`) in the SQL.
    public var parameterCount: Int {
        guard let pointer = self.pointer, self.handle.isOpen else { return 0 }
        return Int(sqlite3_bind_parameter_count(pointer))
    }

    /// Binds `value` to the parameter at `index`, which starts at 1 as in SQLite.
    ///
    /// `nil` binds NULL. Text and blobs are copied (`SQLITE_TRANSIENT`), so the Swift value may
    /// go away at once. An empty string binds `''` and an empty array a zero-length blob, never
    /// NULL.
    /// - Throws: ``SQLiteError/Code/range`` for an index outside `1...parameterCount`.
    public func bind(_ value: (any SQLiteValueConvertible)?, at index: Int) throws {
        try self.bindValue(value?.sqliteValue ?? .null, at: index)
    }

    /// Binds `value` to the named parameter `name`.
    ///
    /// `name` may carry its prefix (`:id`, `@id`, `$id`) or not (`id`, which tries `:id`, then
    /// `@id`, then `$id`).
    /// - Throws: ``SQLiteError/Code/range`` if the SQL has no such parameter.
    public func bind(_ value: (any SQLiteValueConvertible)?, named name: String) throws {
        try self.bindValue(value?.sqliteValue ?? .null, at: try self.parameterIndex(named: name))
    }

    /// Binds `values` to the parameters in order, after clearing the old bindings.
    /// - Throws: ``SQLiteError/Code/range`` unless there is exactly one value per parameter.
    public func bind(_ values: [(any SQLiteValueConvertible)?]) throws {
        let pointer = try self.live()
        let expected = self.parameterCount
        guard values.count == expected else {
            throw SQLiteError(
                code: .range, message: "the statement has \(expected) parameters but \(values.count) values were given",
                sql: self.sql, path: self.handle.path)
        }
        sqlite3_clear_bindings(pointer)
        for (offset, value) in values.enumerated() {
            try self.bindValue(value?.sqliteValue ?? .null, at: offset + 1)
        }
    }

    /// Binds `values` by parameter name (see ``bind(_:named:)``), after clearing the old
    /// bindings. Parameters not named stay NULL.
    public func bind(_ values: [String: (any SQLiteValueConvertible)?]) throws {
        let pointer = try self.live()
        sqlite3_clear_bindings(pointer)
        for (name, value) in values {
            try self.bind(value, named: name)
        }
    }

    /// The 1-based index of a named parameter.
    public func parameterIndex(named name: String) throws -> Int {
        let pointer = try self.live()
        let candidates: [String]
        if let first = name.first, first == ":" || first == "@" || first == "$" || first == "?" {
            candidates = [name]
        } else {
            candidates = [":" + name, "@" + name, "$" + name]
        }
        for candidate in candidates {
            let index = sqlite3_bind_parameter_index(pointer, candidate)
            if index > 0 { return Int(index) }
        }
        throw SQLiteError(
            code: .range, message: "the statement has no parameter named \(name)", sql: self.sql, path: self.handle.path)
    }

    private func bindValue(_ value: SQLiteValue, at index: Int) throws {
        let pointer = try self.live()
        let position = Int32(clamping: index)
        let code: Int32
        switch value {
        case .null:
            code = sqlite3_bind_null(pointer, position)
        case .integer(let integer):
            code = sqlite3_bind_int64(pointer, position, integer)
        case .real(let real):
            code = sqlite3_bind_double(pointer, position, real)
        case .text(var text):
            code = text.withUTF8 { bytes in
                // A NULL data pointer would bind NULL (https://www.sqlite.org/c3ref/bind_blob.html:
                // "If the third parameter to sqlite3_bind_text() … is a NULL pointer then the
                // fourth parameter is ignored and the end result is the same as
                // sqlite3_bind_null()"), so an empty string points at a static empty C string.
                let start = bytes.baseAddress.map { UnsafeRawPointer($0) } ?? UnsafeRawPointer(Self.emptyCString.utf8Start)
                return sqlite3_bind_text64(
                    pointer, position, start.assumingMemoryBound(to: CChar.self), UInt64(bytes.count),
                    slipway_sqlite3_transient(), UInt8(SQLITE_UTF8))
            }
        case .blob(let bytes):
            if bytes.isEmpty {
                // For the same reason an empty blob is bound as a zero-length zeroblob.
                code = sqlite3_bind_zeroblob(pointer, position, 0)
            } else {
                code = bytes.withUnsafeBytes { buffer in
                    sqlite3_bind_blob64(pointer, position, buffer.baseAddress, UInt64(buffer.count), slipway_sqlite3_transient())
                }
            }
        }
        guard code == SQLITE_OK else { throw self.handle.error(code, sql: self.sql) }
    }

    private static let emptyCString: StaticString = ""
}
