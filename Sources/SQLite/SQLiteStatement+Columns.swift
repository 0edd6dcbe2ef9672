// slipway — SQLite
// SPDX-License-Identifier: Apache-2.0

import CSQLite

// Typed readers for the current row. Indexes start at 0, as in `sqlite3_column_*`. Each reader
// follows the conversion rules of ``SQLiteValue``: nil for NULL, nil for a storage class that
// cannot represent the type without loss. They read the column in its stored class first, so
// SQLite never converts it in place (https://www.sqlite.org/c3ref/column_blob.html warns that
// conversions invalidate pointers returned earlier).
extension SQLiteStatement {
    /// The storage class of column `index` in the current row, as SQLite reports it.
    func storageClass(at index: Int) -> Int32 {
        guard let pointer = self.pointer, self.handle.isOpen else { return SQLITE_NULL }
        return sqlite3_column_type(pointer, Int32(index))
    }

    /// Whether column `index` of the current row is NULL.
    public func isNull(at index: Int) -> Bool {
        self.storageClass(at: index) == SQLITE_NULL
    }

    /// Column `index` of the current row, in its storage class.
    public func value(at index: Int) -> SQLiteValue {
        guard let pointer = self.pointer, self.handle.isOpen else { return .null }
        let column = Int32(index)
        switch sqlite3_column_type(pointer, column) {
        case SQLITE_INTEGER:
            return .integer(sqlite3_column_int64(pointer, column))
        case SQLITE_FLOAT:
            return .real(sqlite3_column_double(pointer, column))
        case SQLITE_TEXT:
            return .text(self.text(pointer, column) ?? "")
        case SQLITE_BLOB:
            return .blob(self.bytes(pointer, column))
        default:
            return .null
        }
    }

    /// Column `index` as an `Int64`: an integer, or a real with an exact integer value.
    public func int64(at index: Int) -> Int64? {
        guard let pointer = self.pointer, self.handle.isOpen else { return nil }
        switch sqlite3_column_type(pointer, Int32(index)) {
        case SQLITE_INTEGER: return sqlite3_column_int64(pointer, Int32(index))
        case SQLITE_FLOAT: return Int64(exactly: sqlite3_column_double(pointer, Int32(index)))
        default: return nil
        }
    }

    /// Column `index` as an `Int`.
    public func int(at index: Int) -> Int? {
        self.int64(at: index).flatMap(Int.init(exactly:))
    }

    /// Column `index` as a `Double`: a real, or an integer converted to the nearest double.
    public func double(at index: Int) -> Double? {
        guard let pointer = self.pointer, self.handle.isOpen else { return nil }
        switch sqlite3_column_type(pointer, Int32(index)) {
        case SQLITE_INTEGER: return Double(sqlite3_column_int64(pointer, Int32(index)))
        case SQLITE_FLOAT: return sqlite3_column_double(pointer, Int32(index))
        default: return nil
        }
    }

    /// Column `index` as a `String`: text only.
    public func string(at index: Int) -> String? {
        guard let pointer = self.pointer, self.handle.isOpen,
            sqlite3_column_type(pointer, Int32(index)) == SQLITE_TEXT
        else { return nil }
        return self.text(pointer, Int32(index)) ?? ""
    }

    /// Column `index` of a column that holds text or NULL, for hot reads: one library call
    /// fewer per column than ``string(at:)``, which first asks the value's type. NULL is nil;
    /// any other value comes back as the text SQLite converts it to, so use it only where the
    /// schema stores text.
    public func text(at index: Int) -> String? {
        guard let pointer = self.pointer, self.handle.isOpen else { return nil }
        return self.text(pointer, Int32(index))
    }

    /// Column `index` of an `INTEGER NOT NULL` column, without asking the value's type first
    /// (a NULL would read as 0).
    public func integer(notNullAt index: Int) -> Int64 {
        guard let pointer = self.pointer, self.handle.isOpen else { return 0 }
        return sqlite3_column_int64(pointer, Int32(index))
    }

    /// Column `index` as bytes: a blob, or text as its UTF-8 bytes.
    public func blob(at index: Int) -> [UInt8]? {
        guard let pointer = self.pointer, self.handle.isOpen else { return nil }
        switch sqlite3_column_type(pointer, Int32(index)) {
        case SQLITE_BLOB: return self.bytes(pointer, Int32(index))
        case SQLITE_TEXT: return Array((self.text(pointer, Int32(index)) ?? "").utf8)
        default: return nil
        }
    }

    /// Column `index` as a `Bool`: an integer, zero being `false`.
    public func bool(at index: Int) -> Bool? {
        guard let pointer = self.pointer, self.handle.isOpen,
            sqlite3_column_type(pointer, Int32(index)) == SQLITE_INTEGER
        else { return nil }
        return sqlite3_column_int64(pointer, Int32(index)) != 0
    }

    /// Column `index` converted to `T`; nil for NULL or a value `T` cannot represent.
    public func get<T: SQLiteValueConvertible>(_ type: T.Type = T.self, at index: Int) -> T? {
        T(sqliteValue: self.value(at: index))
    }

    /// The column's text, or nil when SQLite returns no pointer (NULL, or out of memory).
    private func text(_ pointer: OpaquePointer, _ column: Int32) -> String? {
        // "call sqlite3_column_text() first to force the result into the desired format, then
        // invoke sqlite3_column_bytes() to find the size of the result"
        // (https://www.sqlite.org/c3ref/column_blob.html). Text may contain NUL bytes, so the
        // length comes from sqlite3_column_bytes, not from strlen.
        guard let text = sqlite3_column_text(pointer, column) else { return nil }
        let count = Int(sqlite3_column_bytes(pointer, column))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    private func bytes(_ pointer: OpaquePointer, _ column: Int32) -> [UInt8] {
        // "The return value from sqlite3_column_blob() for a zero-length BLOB is a NULL pointer."
        guard let blob = sqlite3_column_blob(pointer, column) else { return [] }
        let count = Int(sqlite3_column_bytes(pointer, column))
        return Array(UnsafeRawBufferPointer(start: blob, count: count))
    }
}
