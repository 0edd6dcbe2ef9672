// slipway — SQLite
// SPDX-License-Identifier: Apache-2.0

extension SQLiteConnection {
    /// How a transaction takes its locks (https://www.sqlite.org/lang_transaction.html).
    public enum TransactionKind: String, Sendable {
        /// Takes no lock until the first read or write. Right for readers: the snapshot starts
        /// at the first read.
        case deferred = "DEFERRED"
        /// Takes the write lock at `BEGIN`. Right for writers: "If a write statement occurs
        /// while a read transaction is active, then the read transaction is upgraded to a write
        /// transaction if possible. … If some other database connection has already modified
        /// the database … the upgrade … fails with SQLITE_BUSY", and the busy handler cannot help
        /// a deferred transaction that has already read. Taking the lock first means a writer
        /// waits (up to ``SQLiteConnection/busyTimeout``) instead of failing halfway.
        case immediate = "IMMEDIATE"
        /// Like immediate; in WAL mode the two are the same.
        case exclusive = "EXCLUSIVE"
    }

    /// Runs `body` in a transaction: commits if it returns, rolls back if it throws, and
    /// rethrows.
    ///
    /// Inside an open transaction (for example in a ``SQLiteDatabase/write(_:)`` closure, which
    /// already runs in the writer's group transaction) it becomes a savepoint, so code that
    /// needs "all or nothing" can call it either way.
    /// - Parameters:
    ///   - kind: ``TransactionKind/immediate`` (the default) for writers.
    ///   - body: the work; it must not run `BEGIN`, `COMMIT` or `ROLLBACK` itself.
    /// - Throws: what `body` throws, or ``SQLiteError`` from `BEGIN` or `COMMIT`.
    public func transaction<T>(_ kind: TransactionKind = .immediate, _ body: () throws -> T) throws -> T {
        if self.isInTransaction {
            return try self.savepoint(body)
        }
        try self.execute("BEGIN \(kind.rawValue) TRANSACTION", [])
        let result: T
        do {
            result = try body()
        } catch {
            self.rollbackIfNeeded()
            throw error
        }
        do {
            try self.execute("COMMIT TRANSACTION", [])
        } catch {
            // "If COMMIT fails with SQLITE_BUSY the transaction remains active" (lang_transaction),
            // and after other errors it may or may not have been rolled back already.
            self.rollbackIfNeeded()
            throw error
        }
        return result
    }

    /// Runs `body` inside `SAVEPOINT`: releases it if `body` returns, rolls back to it and
    /// releases it if `body` throws. Savepoints nest.
    public func savepoint<T>(_ body: () throws -> T) throws -> T {
        self.savepointDepth += 1
        defer { self.savepointDepth -= 1 }
        let name = "slipway_savepoint_\(self.savepointDepth)"
        try self.execute("SAVEPOINT \(name)", [])
        let result: T
        do {
            result = try body()
        } catch {
            // Errors such as SQLITE_FULL, SQLITE_IOERR and SQLITE_NOMEM may already have rolled
            // the whole transaction back (https://www.sqlite.org/lang_transaction.html, "Response
            // To Errors Within A Transaction"), in which case the savepoint is gone too.
            if self.isInTransaction {
                try? self.execute("ROLLBACK TRANSACTION TO SAVEPOINT \(name)", [])
                try? self.execute("RELEASE SAVEPOINT \(name)", [])
            }
            throw error
        }
        try self.execute("RELEASE SAVEPOINT \(name)", [])
        return result
    }

    /// Rolls back the open transaction, if there is one, ignoring errors: used on paths that
    /// are already failing.
    func rollbackIfNeeded() {
        if self.isInTransaction { try? self.execute("ROLLBACK TRANSACTION", []) }
    }
}
