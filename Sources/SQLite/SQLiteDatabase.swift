// slipway — SQLite
// SPDX-License-Identifier: Apache-2.0

import Threads

/// A SQLite database file, opened for concurrent use: one writer thread with group commit, a
/// few reader threads, and synchronous reads for callers that have their own threads.
///
/// Every connection runs on a dedicated thread, never on Swift's cooperative pool, which has
/// only as many threads as cores: a `sqlite3_step` waiting for `fsync` there would stall half
/// the process (docs/architecture.md, "Concurrency"). Async callers suspend on a
/// continuation and the database thread resumes them.
///
/// The file is set up for durability on open:
/// - `journal_mode=WAL`: readers see the last committed snapshot and never block the writer,
///   nor the writer them (https://www.sqlite.org/wal.html).
/// - `synchronous=FULL`: https://www.sqlite.org/pragma.html#pragma_synchronous, "In WAL mode
///   when synchronous is NORMAL (1), … A transaction committed in WAL mode with
///   synchronous=NORMAL might roll back following a power loss or system crash." With FULL,
///   "the WAL file is synchronized before each commit", so a write that ``write(_:)`` has
///   acknowledged survives power loss. Group commit pays for that `fsync` once per batch.
/// - `foreign_keys=ON`: SQLite leaves foreign keys unenforced unless asked, per connection.
///
/// ```swift
/// let database = try await SQLiteDatabase(path: "/var/lib/slipway/slipway.db",
///                                         configuration: .init(migrator: migrator))
/// let id = try await database.write { db in
///     try db.execute("INSERT INTO jobs(name) VALUES (?)", [name])
///     return db.lastInsertRowID
/// }
/// let rows = try await database.read { db in try db.query("SELECT * FROM jobs WHERE id = ?", [id]) }
/// await database.close()
/// ```
public final class SQLiteDatabase: Sendable {
    /// The database file.
    public let path: String
    /// The configuration it was opened with.
    public let configuration: Configuration

    private let writer: SQLiteWriter
    private let readers: SQLiteReaderPool
    private let readNowPool: ReadConnectionPool

    /// Opens (creating if needed) the database at `path`, configures it, runs the migrations and
    /// starts its threads.
    ///
    /// The blocking part (opening, WAL set-up, migrations) runs on the new writer thread; the
    /// caller only awaits it.
    /// - Throws: ``SQLiteError`` (for example ``SQLiteError/Code/cantOpen`` with a reason such as
    ///   "the data directory is read-only") or ``SQLiteMigrationError``.
    public init(path: String, configuration: Configuration = Configuration()) async throws {
        let readNowPool = ReadConnectionPool(path: path, maxIdle: configuration.maxIdleReadNowConnections) {
            try Self.openReadConnection(path: path, configuration: configuration)
        }
        let writer = SQLiteWriter(path: path, maxBatchSize: configuration.maxBatchSize, readNowConnections: readNowPool)
        let readerConnections: [ConnectionBox] = try await withCheckedThrowingContinuation { continuation in
            NamedThread.detach(name: "sqlite-writer") {
                let connection: SQLiteConnection
                let readers: [ConnectionBox]
                do {
                    connection = try Self.openWriteConnection(path: path, configuration: configuration)
                    readers = try (0..<max(1, configuration.readerThreads)).map { _ in
                        ConnectionBox(try Self.openReadConnection(path: path, configuration: configuration))
                    }
                } catch {
                    writer.markExited()
                    continuation.resume(throwing: error)
                    return
                }
                continuation.resume(returning: readers)
                writer.run(connection)
            }
        }
        self.path = path
        self.configuration = configuration
        self.writer = writer
        self.readers = SQLiteReaderPool(connections: readerConnections, path: path)
        self.readNowPool = readNowPool
    }

    deinit {
        // Without close(): stop the threads anyway; they finish queued work and close their
        // connections on their own.
        self.readers.requestShutdown()
        self.readNowPool.close()
        self.writer.requestShutdown()
    }

    // MARK: - Writing

    /// Runs `body` on the writer thread, inside the writer's transaction, and returns after
    /// that transaction has committed.
    ///
    /// Writes queued together share one transaction and one commit (group commit, see
    /// ``Statistics``); each runs inside its own savepoint, so if `body` throws, only its own
    /// changes are rolled back and only this call fails. When this call returns, its changes
    /// are durable. `body` runs on another thread and should be short: the batch, and every
    /// caller in it, waits for it. It must not begin, commit or roll back transactions itself
    /// (``SQLiteConnection/transaction(_:_:)`` inside it becomes a savepoint).
    ///
    /// A write that is queued runs even if the calling task is cancelled, so its outcome is
    /// never unknown.
    /// - Returns: what `body` returns.
    /// - Throws: what `body` throws; ``SQLiteError`` if the commit fails (the write did not
    ///   happen, with one exception: after an I/O error during the commit's `fsync` the outcome
    ///   is unknown, as for any database) or the database is closed.
    public func write<T: Sendable>(_ body: @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await withoutActuallyEscaping(body) { body in
            try await withCheckedThrowingContinuation { continuation in
                let job = TypedDatabaseJob(body: body, continuation: continuation)
                do {
                    try self.writer.submit(job)
                } catch {
                    job.fail(error)
                    job.finish()
                }
            }
        }
    }

    // MARK: - Reading

    /// Runs `body` on a reader thread with a read-only connection, inside one read transaction:
    /// every query in `body` sees the same committed snapshot, and nothing waits for the
    /// writer.
    /// - Throws: what `body` throws, or ``SQLiteError``.
    public func read<T: Sendable>(_ body: @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await withoutActuallyEscaping(body) { body in
            try await withCheckedThrowingContinuation { continuation in
                let job = TypedDatabaseJob(
                    body: { connection in try connection.transaction(.deferred) { try body(connection) } },
                    continuation: continuation)
                do {
                    try self.readers.submit(job)
                } catch {
                    job.fail(error)
                    job.finish()
                }
            }
        }
    }

    /// Runs `body` at once on the calling thread, with a read-only connection taken from a
    /// lock-protected pool (opened on first use), inside one read transaction.
    ///
    /// For callers that already run on their own dedicated threads, such as the HTTP event
    /// loops answering point lookups: no thread hop, no continuation, and no waiting for the
    /// writer. Do not call it from Swift's cooperative pool (an `async` context): it blocks the
    /// calling thread for as long as the query runs; use ``read(_:)`` there.
    ///
    /// `body` sees every write that ``write(_:)`` acknowledged before this call. Calls between
    /// two commits may share one snapshot, which saves each the locking of a read transaction;
    /// writes by other processes therefore show only once a write of this database commits.
    /// - Throws: what `body` throws, or ``SQLiteError``.
    @available(*, noasync, message: "blocks the calling thread for the whole read; use read(_:) from async code")
    public func readNow<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        try self.readNowPool.withSnapshot(body)
    }

    /// ``readNow(_:)``, giving up on a query that would run more than `steps` instructions
    /// (see ``SQLiteConnection/withStepLimit(_:_:)``): nil then, and the caller reads with
    /// ``read(_:)`` on a reader thread instead. For event loops, which must not stall on a
    /// query that scans.
    /// - Throws: what `body` throws, or ``SQLiteError``.
    @available(*, noasync, message: "blocks the calling thread for the whole read; use read(_:) from async code")
    public func readNow<T>(stepLimit steps: Int32, _ body: (SQLiteConnection) throws -> T) throws -> T? {
        do {
            return try self.readNowPool.withSnapshot { connection in try connection.withStepLimit(steps) { try body(connection) } }
        } catch let error as SQLiteError where error.code == .interrupt {
            return nil
        }
    }

    // MARK: - Maintenance

    /// Checkpoints the WAL into the database file, on the writer thread between batches.
    ///
    /// SQLite already checkpoints on its own when the WAL passes 1,000 pages
    /// (https://www.sqlite.org/wal.html#automatic_checkpoint); call this to shrink the WAL after
    /// a burst, or before copying files. ``SQLiteConnection/CheckpointMode/truncate`` waits (up
    /// to the busy timeout) for readers of older snapshots, during which writes queue up.
    public func checkpoint(
        _ mode: SQLiteConnection.CheckpointMode = .truncate
    ) async throws -> SQLiteConnection.CheckpointResult {
        try await withCheckedThrowingContinuation { continuation in
            let job = TypedDatabaseJob(
                runsAlone: true, body: { connection in try connection.checkpoint(mode) }, continuation: continuation)
            do {
                try self.writer.submit(job)
            } catch {
                job.fail(error)
                job.finish()
            }
        }
    }

    /// Writes a consistent copy of the database to a new file at `destination`, on a reader
    /// thread, without blocking writes (see ``SQLiteConnection/backup(to:)``).
    /// - Throws: ``SQLiteError``; the destination must not exist.
    public func backup(to destination: String) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let job = TypedDatabaseJob(body: { connection in try connection.backup(to: destination) }, continuation: continuation)
            do {
                try self.readers.submit(job)
            } catch {
                job.fail(error)
                job.finish()
            }
        }
    }

    /// The writer's counters so far.
    public var statistics: Statistics {
        self.writer.statistics.withLock { $0 }
    }

    /// Writes (and checkpoints) waiting for the writer thread right now: the next batch. A
    /// gauge for monitoring; under steady load it stays near the number of concurrent writers.
    public var queuedWrites: Int {
        self.writer.queuedCount
    }

    /// Stops taking work, finishes the reads and writes already queued (every queued write is
    /// committed or fails as usual), closes every connection and waits for the threads to end.
    /// Calling it again waits for the same end.
    ///
    /// Readers close first and the writer last, so the writer holds the last connection and
    /// can checkpoint the WAL and remove it.
    public func close() async {
        await self.readers.shutdown()
        self.readNowPool.close()
        await self.writer.shutdown()
    }

    // MARK: - Connections

    static func openWriteConnection(path: String, configuration: Configuration) throws -> SQLiteConnection {
        let connection = try SQLiteConnection(
            path: path, mode: .readWriteCreate, statementCacheCapacity: configuration.statementCacheCapacity)
        connection.busyTimeout = configuration.busyTimeout
        // "The WAL journaling mode uses a write-ahead log instead of a rollback journal … WAL
        // journaling mode is persistent; after being set it stays in effect across multiple
        // database connections and after closing and reopening the database"
        // (https://www.sqlite.org/pragma.html#pragma_journal_mode). The pragma answers with the
        // mode in effect, which stays the old one where WAL is impossible.
        let mode = try connection.setPragma("journal_mode", to: "wal")
        guard mode?.stringValue?.lowercased() == "wal" else {
            throw SQLiteError(
                code: .error,
                message: "SQLite could not switch \(path) to WAL mode (it stays in \(mode?.stringValue ?? "unknown") mode); "
                    + "WAL needs a local filesystem with shared memory, not a network filesystem",
                path: path)
        }
        // synchronous is per connection, not stored in the file. FULL is 2.
        try connection.setPragma("synchronous", to: 2)
        guard try connection.pragma("synchronous")?.int64Value == 2 else {
            throw SQLiteError(code: .error, message: "SQLite refused PRAGMA synchronous=FULL", path: path)
        }
        try connection.setPragma("foreign_keys", to: 1)
        try configuration.prepareConnection?(connection)
        if let migrator = configuration.migrator {
            try migrator.migrate(connection)
        }
        return connection
    }

    static func openReadConnection(path: String, configuration: Configuration) throws -> SQLiteConnection {
        let connection = try SQLiteConnection(
            path: path, mode: .readOnly, statementCacheCapacity: configuration.statementCacheCapacity)
        connection.busyTimeout = configuration.busyTimeout
        try connection.setPragma("foreign_keys", to: 1)
        if configuration.readerMemoryMapBytes > 0 {
            try connection.setPragma("mmap_size", to: .integer(Int64(configuration.readerMemoryMapBytes)))
        }
        try configuration.prepareConnection?(connection)
        return connection
    }
}
