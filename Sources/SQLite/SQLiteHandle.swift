// slipway — SQLite
// SPDX-License-Identifier: Apache-2.0

import CSQLite

/// Owns one `sqlite3*` and closes it exactly once.
///
/// A connection and each of its statements hold the handle, so the C pointer stays valid for as
/// long as any of them can use it, whichever Swift object goes away first.
final class SQLiteHandle {
    let pointer: OpaquePointer
    let path: String
    private(set) var isOpen = true

    init(pointer: OpaquePointer, path: String) {
        self.pointer = pointer
        self.path = path
    }

    /// Closes the connection. Statements still alive keep it as a "zombie" until they are
    /// finalized: https://www.sqlite.org/c3ref/close.html, "If sqlite3_close_v2() is called with
    /// unfinalized prepared statements … then the database connection becomes an unusable
    /// 'zombie' which will automatically be deallocated when the last prepared statement is
    /// finalized". `sqlite3_close_v2` is "intended for use with host languages that are garbage
    /// collected, and where the order in which destructors are called is arbitrary" — ARC.
    func close() -> Int32 {
        guard self.isOpen else { return SQLITE_OK }
        self.isOpen = false
        return sqlite3_close_v2(self.pointer)
    }

    /// The error of the call that just returned `resultCode` on this handle.
    func error(_ resultCode: Int32, sql: String? = nil) -> SQLiteError {
        SQLiteError(resultCode: resultCode, connection: self.pointer, sql: sql, path: self.path)
    }

    deinit {
        _ = self.close()
    }
}
