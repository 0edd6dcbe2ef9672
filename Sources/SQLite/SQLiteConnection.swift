// slipway — SQLite
// SPDX-License-Identifier: Apache-2.0

import CSQLite

/// One SQLite database connection: owns one `sqlite3*` and closes it exactly once.
///
/// A connection is used by one thread at a time and is deliberately not `Sendable`. It is
/// opened with `SQLITE_OPEN_NOMUTEX`, the "multi-thread" threading mode
/// (https://www.sqlite.org/threadsafe.html): "SQLite can be safely used by multiple threads
/// provided that no single database connection nor any object derived from database connection,
/// such as a prepared statement, is used in two or more threads at the same time." Our
/// confinement already guarantees that, so the per-call mutex of the default "serialized" mode
/// would buy nothing. ``SQLiteDatabase`` hands connections to closures on its own threads and
/// never lets two threads share one.
///
/// ```swift
/// let connection = try SQLiteConnection(path: path)
/// try connection.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT NOT NULL) STRICT")
/// try connection.execute("INSERT INTO t(name) VALUES (?)", ["a"])
/// let names = try connection.query("SELECT name FROM t").map { $0.string(at: 0) }
/// ```
public final class SQLiteConnection {
    /// How to open the database file.
    public struct OpenMode: Sendable, Hashable {
        let flags: Int32

        /// Read and write; create the file if it does not exist.
        public static let readWriteCreate = OpenMode(flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        /// Read and write an existing file.
        public static let readWrite = OpenMode(flags: SQLITE_OPEN_READWRITE)
        /// Read only. In WAL mode a reader sees the last committed snapshot and never blocks the
        /// writer (https://www.sqlite.org/wal.html).
        public static let readOnly = OpenMode(flags: SQLITE_OPEN_READONLY)
    }

    let handle: SQLiteHandle
    private var statementCache: StatementCache
    private var storedBusyTimeout: Duration = .zero
    var savepointDepth = 0
    /// Progress-handler calls left before ``withStepLimit(_:_:)`` interrupts the statement.
    var remainingStepChecks: Int32 = 0

    /// The path of the database file.
    public let path: String
    /// How the file was opened.
    public let mode: OpenMode

    /// Settings of the SQLite library itself, made once before the first connection opens.
    /// Memory statistics are off: they serialize every allocation of every connection on one
    /// mutex, where the event loops' readers queued (nothing here reads the statistics).
    private static let processSettings: Void = {
        _ = slipway_sqlite3_disable_memory_statistics()
    }()

    /// Opens (and with ``OpenMode/readWriteCreate`` creates) the database at `path`.
    ///
    /// - Parameters:
    ///   - path: a file path; never `:memory:` or a URI in slipway, but SQLite accepts both.
    ///   - mode: read-write (creating) or read-only.
    ///   - statementCacheCapacity: how many prepared statements ``cachedStatement(_:)`` keeps.
    /// - Throws: ``SQLiteError``, for example ``SQLiteError/Code/cantOpen`` when the directory
    ///   does not exist or is not writable.
    public init(path: String, mode: OpenMode = .readWriteCreate, statementCacheCapacity: Int = 64) throws {
        _ = Self.processSettings
        var pointer: OpaquePointer?
        // SQLITE_OPEN_EXRESCODE: "The database connection comes up in 'extended result code
        // mode'", so errors say SQLITE_CONSTRAINT_UNIQUE rather than SQLITE_CONSTRAINT.
        let flags = mode.flags | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        let code = sqlite3_open_v2(path, &pointer, flags, nil)
        guard code == SQLITE_OK, let pointer else {
            let error = SQLiteError(resultCode: code, connection: pointer, sql: nil, path: path)
            // https://www.sqlite.org/c3ref/open.html: "Whether or not an error occurs when it is
            // opened, resources associated with the database connection handle should be
            // released by passing it to sqlite3_close() when it is no longer required." Closing
            // a NULL pointer is a harmless no-op.
            sqlite3_close_v2(pointer)
            throw error
        }
        self.handle = SQLiteHandle(pointer: pointer, path: path)
        self.path = path
        self.mode = mode
        self.statementCache = StatementCache(capacity: statementCacheCapacity)
        // https://www.sqlite.org/quirks.html#dblquote: "the developers recommend ... turn off
        // double-quoted string literals": with them on, a misspelt column name in double quotes
        // silently becomes a string.
        _ = slipway_sqlite3_db_config_int(pointer, SQLITE_DBCONFIG_DQS_DML, 0, nil)
        _ = slipway_sqlite3_db_config_int(pointer, SQLITE_DBCONFIG_DQS_DDL, 0, nil)
    }

    deinit {
        self.statementCache.removeAll()
    }

    /// Whether ``close()`` has not been called yet.
    public var isOpen: Bool { self.handle.isOpen }

    /// Finalizes the cached statements and closes the connection. Further calls do nothing.
    ///
    /// Statements the caller still holds stop working (they throw ``SQLiteError/Code/misuse``)
    /// and the C connection is freed when the last of them is released. Closing the last
    /// connection to a WAL database checkpoints it and removes the `-wal` file.
    /// - Throws: ``SQLiteError`` if SQLite reports an error while closing.
    public func close() throws {
        guard self.handle.isOpen else { return }
        self.statementCache.removeAll()
        let code = self.handle.close()
        guard code == SQLITE_OK else {
            throw SQLiteError(code: SQLiteError.Code(rawValue: code), sql: nil, path: self.path)
        }
    }

    // MARK: - Statements

    /// Compiles one SQL statement. The statement belongs to the caller and is not cached.
    ///
    /// - Throws: ``SQLiteError`` with the SQL, for a syntax error, an unknown table, or when
    ///   `sql` holds more than one statement.
    public func prepare(_ sql: String) throws -> SQLiteStatement {
        try self.checkOpen(sql)
        var statement: OpaquePointer?
        var hasMoreStatements = false
        let code = sql.utf8CString.withUnsafeBufferPointer { buffer -> Int32 in
            var tail: UnsafePointer<CChar>?
            // sqlite3_prepare_v3 with SQLITE_PREPARE_PERSISTENT: "a hint to the query planner
            // that the prepared statement will be retained for a long time and probably reused
            // many times."
            let code = sqlite3_prepare_v3(
                self.handle.pointer, buffer.baseAddress, Int32(buffer.count), UInt32(SQLITE_PREPARE_PERSISTENT),
                &statement, &tail)
            guard code == SQLITE_OK, var rest = tail else { return code }
            while rest.pointee == 0x20 || rest.pointee == 0x0A || rest.pointee == 0x0D || rest.pointee == 0x09
                || rest.pointee == 0x3B
            {
                rest += 1
            }
            if rest.pointee != 0 {
                // Something other than blanks follows: a second statement, or only a comment,
                // which compiles to no statement at all.
                var next: OpaquePointer?
                let nextCode = sqlite3_prepare_v2(self.handle.pointer, rest, -1, &next, nil)
                hasMoreStatements = nextCode != SQLITE_OK || next != nil
                sqlite3_finalize(next)
            }
            return code
        }
        guard code == SQLITE_OK else { throw self.handle.error(code, sql: sql) }
        guard let statement else {
            throw SQLiteError(code: .misuse, message: "the SQL holds no statement", sql: sql, path: self.path)
        }
        guard !hasMoreStatements else {
            sqlite3_finalize(statement)
            throw SQLiteError(
                code: .misuse, message: "prepare() takes one statement; use execute(_:) for a script", sql: sql,
                path: self.path)
        }
        return SQLiteStatement(handle: self.handle, pointer: statement, sql: sql)
    }

    /// The cached prepared statement for `sql`, reset and with its bindings cleared; prepares
    /// and caches it on first use.
    ///
    /// The cache hands out one object per SQL text. While that statement is mid-iteration (it
    /// has been stepped but has neither finished nor been reset), asking for the same SQL again
    /// returns a fresh, uncached statement, so nested queries of the same SQL are safe.
    public func cachedStatement(_ sql: String) throws -> SQLiteStatement {
        if let statement = self.statementCache.statement(for: sql) {
            if !statement.isBusy {
                statement.reset()
                statement.clearBindings()
                return statement
            }
            return try self.prepare(sql)
        }
        let statement = try self.prepare(sql)
        self.statementCache.insert(statement)
        return statement
    }

    /// Runs a script of zero or more SQL statements separated by semicolons, discarding any
    /// rows, like `sqlite3_exec`. Use the overloads with bindings for values and for statements
    /// that run often (they are cached).
    ///
    /// - Throws: ``SQLiteError`` naming the statement of the script that failed; the statements
    ///   before it have run.
    public func execute(_ sql: String) throws {
        try self.checkOpen(sql)
        let bytes = Array(sql.utf8CString)
        try bytes.withUnsafeBufferPointer { (buffer) throws in
            guard let base = buffer.baseAddress else { return }
            var cursor: UnsafePointer<CChar>? = base
            while let current = cursor, current.pointee != 0 {
                var statement: OpaquePointer?
                var tail: UnsafePointer<CChar>?
                let code = sqlite3_prepare_v2(self.handle.pointer, current, -1, &statement, &tail)
                let text = {
                    let count = (tail ?? current) - current
                    return String(decoding: UnsafeRawBufferPointer(start: current, count: count), as: UTF8.self)
                }
                guard code == SQLITE_OK else { throw self.handle.error(code, sql: text()) }
                cursor = tail
                guard let statement else { continue }  // whitespace or a comment
                defer { sqlite3_finalize(statement) }
                var step = sqlite3_step(statement)
                while step == SQLITE_ROW { step = sqlite3_step(statement) }
                guard step == SQLITE_DONE else { throw self.handle.error(step, sql: text()) }
            }
        }
    }

    // MARK: - State

    /// The rowid of the most recent successful `INSERT` on this connection
    /// (`sqlite3_last_insert_rowid`).
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(self.handle.pointer) }

    /// Rows changed by the most recent `INSERT`, `UPDATE` or `DELETE` (`sqlite3_changes64`).
    public var changes: Int { Int(sqlite3_changes64(self.handle.pointer)) }

    /// Rows changed since the connection opened (`sqlite3_total_changes64`).
    public var totalChanges: Int { Int(sqlite3_total_changes64(self.handle.pointer)) }

    /// Whether a transaction is open: "autocommit mode is disabled by a BEGIN statement"
    /// (https://www.sqlite.org/c3ref/get_autocommit.html).
    public var isInTransaction: Bool { sqlite3_get_autocommit(self.handle.pointer) == 0 }

    /// Whether the connection cannot write the main database (`sqlite3_db_readonly`).
    public var isReadOnly: Bool { sqlite3_db_readonly(self.handle.pointer, "main") == 1 }

    /// How long a statement waits for a lock held by another connection before failing with
    /// ``SQLiteError/Code/busy`` (`sqlite3_busy_timeout`). Zero, the default, fails at once.
    ///
    /// "The handler will sleep multiple times until at least 'ms' milliseconds of sleeping have
    /// accumulated" (https://www.sqlite.org/c3ref/busy_timeout.html). The sleep happens on the
    /// calling thread, which is why connections live on dedicated threads.
    public var busyTimeout: Duration {
        get { self.storedBusyTimeout }
        set {
            let (seconds, attoseconds) = newValue.components
            let milliseconds = max(0, min(Int64(Int32.max), seconds * 1000 + attoseconds / 1_000_000_000_000_000))
            sqlite3_busy_timeout(self.handle.pointer, Int32(milliseconds))
            self.storedBusyTimeout = .milliseconds(milliseconds)
        }
    }

    /// Calls `body` with the raw `sqlite3*`, for C APIs this wrapper does not cover
    /// (`sqlite3_create_function_v2`, …). Do not close it or keep it.
    public func withUnsafeHandle<T, E: Error>(_ body: (OpaquePointer) throws(E) -> T) throws(E) -> T {
        try body(self.handle.pointer)
    }

    func checkOpen(_ sql: String? = nil) throws {
        guard self.handle.isOpen else { throw SQLiteError.closed("the connection", path: self.path, sql: sql) }
    }
}
