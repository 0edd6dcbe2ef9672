// slipway — SQLite
// SPDX-License-Identifier: Apache-2.0

/// A read-only connection of ``ReadConnectionPool`` and the read transaction it keeps open
/// between reads.
///
/// Beginning and ending a WAL read transaction locks and unlocks a read-mark slot in the
/// `-shm` file with `fcntl`, under a mutex SQLite shares between the process's connections;
/// for a primary-key lookup that was most of its cost, and the event loops queued on that
/// mutex. Reads that may share a snapshot (see ``ReadConnectionPool``) skip both.
///
/// @unchecked Sendable: like ``ConnectionBox``, it is used by one thread at a time and moves
/// between threads only through the pool's Mutex-guarded idle list.
final class SnapshotConnection: @unchecked Sendable {
    let connection: SQLiteConnection
    /// The pool's commit count when the open read transaction began; nil when none is open.
    private(set) var snapshotCommitCount: UInt64?

    init(_ connection: SQLiteConnection) {
        self.connection = connection
    }

    /// Whether the open read transaction, if any, began at `commitCount`.
    func hasSnapshot(at commitCount: UInt64) -> Bool {
        self.snapshotCommitCount == commitCount && self.connection.isInTransaction
    }

    /// Makes sure a read transaction is open that began at `commitCount`: keeps the open one if
    /// it did, else ends it and begins another.
    ///
    /// `BEGIN DEFERRED` takes its snapshot at the first read after it, so the snapshot contains
    /// every commit counted in `commitCount` (the caller read the count before calling).
    func useSnapshot(at commitCount: UInt64) throws {
        if self.hasSnapshot(at: commitCount) { return }
        self.endSnapshot()
        try self.connection.execute("BEGIN DEFERRED TRANSACTION", [])
        self.snapshotCommitCount = commitCount
    }

    /// Ends the open read transaction, if any. A read transaction has nothing to commit: this
    /// only releases its read lock, so a failure (there is none in practice) rolls back.
    func endSnapshot() {
        self.snapshotCommitCount = nil
        guard self.connection.isOpen, self.connection.isInTransaction else { return }
        do {
            try self.connection.execute("COMMIT TRANSACTION", [])
        } catch {
            self.connection.rollbackIfNeeded()
        }
    }

    /// Ends the open read transaction and closes the connection.
    func close() {
        self.endSnapshot()
        try? self.connection.close()
    }
}
