// slipway — SQLite
// SPDX-License-Identifier: Apache-2.0

extension SQLiteDatabase {
    /// How a ``SQLiteDatabase`` opens and runs its connections.
    ///
    /// The durability settings are not configurable: every database runs in WAL mode with
    /// `synchronous=FULL` and `foreign_keys=ON` (see ``SQLiteDatabase``).
    public struct Configuration: Sendable {
        /// How long a connection waits for a lock held by another connection or process before
        /// failing with ``SQLiteError/Code/busy``. In WAL mode readers never wait for the writer,
        /// so this matters for a second process, checkpoints and start-up recovery.
        public var busyTimeout: Duration = .seconds(5)

        /// How many dedicated reader threads (each with its own read-only connection) serve
        /// ``SQLiteDatabase/read(_:)``. At least 1.
        public var readerThreads: Int = 2

        /// The most queued writes the writer runs in one transaction. A bigger batch means fewer
        /// commits under load, but every write in it waits for the whole batch before it is
        /// acknowledged, and a batch holds the write lock for longer. 1,000 single-row writes take
        /// a few milliseconds.
        public var maxBatchSize: Int = 1000

        /// How many idle connections ``SQLiteDatabase/readNow(_:)`` keeps for reuse. Connections
        /// beyond this are closed when returned.
        public var maxIdleReadNowConnections: Int = 8

        /// How much of the database file each read-only connection maps into memory
        /// (`PRAGMA mmap_size`, https://www.sqlite.org/mmap.html); 0 turns it off.
        ///
        /// Readers then take pages straight from the operating system's page cache instead of a
        /// `pread` into a 2 MB cache of their own per connection, which random point lookups
        /// over a database larger than that cache missed most of the time. The mapping is
        /// shared and costs address space, not memory. The writer does not map: SQLite writes
        /// through `write` either way, and a file truncated under a mapping would fault.
        public var readerMemoryMapBytes: Int = 256 * 1024 * 1024

        /// How many prepared statements each connection caches.
        public var statementCacheCapacity: Int = 64

        /// Schema migrations, applied on the write connection before the database accepts work.
        public var migrator: SQLiteMigrator?

        /// Runs once on every new connection, writer and readers alike, after the built-in
        /// settings (for example to register SQL functions).
        public var prepareConnection: (@Sendable (SQLiteConnection) throws -> Void)?

        /// Creates a configuration; every parameter has a default.
        public init(
            busyTimeout: Duration = .seconds(5),
            readerThreads: Int = 2,
            maxBatchSize: Int = 1000,
            migrator: SQLiteMigrator? = nil,
            prepareConnection: (@Sendable (SQLiteConnection) throws -> Void)? = nil
        ) {
            self.busyTimeout = busyTimeout
            self.readerThreads = readerThreads
            self.maxBatchSize = maxBatchSize
            self.migrator = migrator
            self.prepareConnection = prepareConnection
        }
    }
}
