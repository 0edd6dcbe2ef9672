// slipway — SQLite
// SPDX-License-Identifier: Apache-2.0

import CSQLite

#if canImport(Glibc)
import Glibc
#endif

extension SQLiteConnection {
    /// How hard a checkpoint tries (https://www.sqlite.org/c3ref/wal_checkpoint_v2.html).
    public enum CheckpointMode: Sendable {
        /// "Checkpoint as many frames as possible without waiting for any database readers or
        /// writers to finish."
        case passive
        /// "This mode blocks … until there is no database writer and all readers are reading
        /// from the most recent database snapshot."
        case full
        /// Like full, then "blocks … until all readers are reading from the database file only".
        case restart
        /// Like restart, and "also truncates the log file to zero bytes".
        case truncate

        var rawValue: Int32 {
            switch self {
            case .passive: SQLITE_CHECKPOINT_PASSIVE
            case .full: SQLITE_CHECKPOINT_FULL
            case .restart: SQLITE_CHECKPOINT_RESTART
            case .truncate: SQLITE_CHECKPOINT_TRUNCATE
            }
        }
    }

    /// What a checkpoint did.
    public struct CheckpointResult: Sendable, Equatable {
        /// Frames in the WAL when the checkpoint ended.
        public var walFrames: Int
        /// Of those, frames copied into the database file.
        public var checkpointedFrames: Int
        /// False when readers or a writer prevented a full, restart or truncate checkpoint from
        /// finishing within the busy timeout (SQLite then checkpointed what it could, like
        /// passive).
        public var isComplete: Bool
    }

    /// Checkpoints the WAL of the main database (`sqlite3_wal_checkpoint_v2`).
    /// - Throws: ``SQLiteError`` for anything but a busy lock, which is reported as
    ///   ``CheckpointResult/isComplete`` `false`.
    @discardableResult
    public func checkpoint(_ mode: CheckpointMode = .passive) throws -> CheckpointResult {
        try self.checkOpen()
        var walFrames: Int32 = 0
        var checkpointed: Int32 = 0
        let code = sqlite3_wal_checkpoint_v2(self.handle.pointer, "main", mode.rawValue, &walFrames, &checkpointed)
        switch SQLiteError.Code(rawValue: code) {
        case .ok:
            return CheckpointResult(walFrames: Int(walFrames), checkpointedFrames: Int(checkpointed), isComplete: true)
        case .busy:
            return CheckpointResult(walFrames: Int(walFrames), checkpointedFrames: Int(checkpointed), isComplete: false)
        default:
            throw self.handle.error(code, sql: "PRAGMA wal_checkpoint")
        }
    }

    /// Runs `body` with `handler` in place of the busy timeout, then restores the timeout.
    ///
    /// SQLite calls `handler` whenever a lock it needs is busy, with the number of earlier calls
    /// for the same lock, and tries again while it returns true
    /// (https://www.sqlite.org/c3ref/busy_handler.html). `handler` runs on the calling thread.
    func withBusyHandler<T>(_ handler: @escaping (Int) -> Bool, _ body: () throws -> T) rethrows -> T {
        let box = BusyHandlerBox(handler)
        sqlite3_busy_handler(
            self.handle.pointer,
            { context, attempts in
                Unmanaged<BusyHandlerBox>.fromOpaque(context!).takeUnretainedValue().handler(Int(attempts)) ? 1 : 0
            },
            Unmanaged.passUnretained(box).toOpaque())
        defer {
            // Setting the timeout again replaces the handler (and drops its pointer to `box`).
            self.busyTimeout = self.busyTimeout
            withExtendedLifetime(box) {}
        }
        return try body()
    }

    /// Copies the whole database, as of one committed snapshot, into a new file at
    /// `destination`, through the online backup API (https://www.sqlite.org/backup.html).
    ///
    /// The copy is made in one `sqlite3_backup_step(-1)`, so it is consistent, and written by a
    /// connection in the default rollback-journal mode with `synchronous=FULL`, so it is on
    /// disk when this returns. Runs fine on a read-only connection; in WAL mode it does not
    /// block the writer.
    /// - Throws: ``SQLiteError``; ``SQLiteError/Code/cantOpen`` if `destination` already exists.
    public func backup(to destination: String) throws {
        try self.checkOpen()
        guard access(destination, F_OK) != 0 else {
            throw SQLiteError(
                code: .cantOpen, message: "the backup destination \(destination) already exists; choose a new file",
                path: destination)
        }
        let target = try SQLiteConnection(path: destination, mode: .readWriteCreate, statementCacheCapacity: 0)
        try target.setPragma("synchronous", to: 2)
        guard let backup = sqlite3_backup_init(target.handle.pointer, "main", self.handle.pointer, "main") else {
            throw target.handle.error(sqlite3_errcode(target.handle.pointer), sql: "backup to \(destination)")
        }
        var code = sqlite3_backup_step(backup, -1)
        // "If SQLITE_BUSY or SQLITE_LOCKED is returned … sqlite3_backup_step() can be retried at a
        // later time": only another process could hold such a lock on a brand-new file.
        var attempts = 0
        while (code == SQLITE_BUSY || code == SQLITE_LOCKED) && attempts < 50 {
            attempts += 1
            usleep(20_000)
            code = sqlite3_backup_step(backup, -1)
        }
        let finish = sqlite3_backup_finish(backup)
        guard code == SQLITE_DONE else {
            throw SQLiteError(code: SQLiteError.Code(rawValue: code), sql: "backup to \(destination)", path: destination)
        }
        guard finish == SQLITE_OK else { throw target.handle.error(finish, sql: "backup to \(destination)") }
        try target.close()
    }
}

/// The closure behind ``SQLiteConnection/withBusyHandler(_:_:)``, passed to SQLite as context.
private final class BusyHandlerBox {
    let handler: (Int) -> Bool
    init(_ handler: @escaping (Int) -> Bool) { self.handler = handler }
}
