// slipway — SQLite
// SPDX-License-Identifier: Apache-2.0

/// Ordered, named schema migrations, recorded in a `schema_migrations` table.
///
/// Migration *n* (counting from 1, in registration order) is applied at most once, in its own
/// `BEGIN IMMEDIATE` transaction together with its row in `schema_migrations`, so a crash
/// leaves each migration either wholly applied and recorded or not at all. Running the
/// migrator again applies only what is missing. A database that records more migrations than
/// the code knows, or a different name at some version, was written by another build of
/// slipway: the migrator refuses it with ``SQLiteMigrationError`` rather than run against a
/// schema it does not understand.
///
/// Migrations are append-only: never edit, reorder or remove one that has shipped.
/// ```swift
/// var migrator = SQLiteMigrator()
/// migrator.register("create jobs", sql: "CREATE TABLE jobs(id TEXT PRIMARY KEY, state TEXT NOT NULL) STRICT")
/// migrator.register("index jobs by state") { db in
///     try db.execute("CREATE INDEX jobs_state ON jobs(state)")
/// }
/// let database = try await SQLiteDatabase(path: path, configuration: .init(migrator: migrator))
/// ```
public struct SQLiteMigrator: Sendable {
    /// One registered migration.
    public struct Migration: Sendable {
        /// Its position, from 1.
        public let version: Int
        /// Its name, recorded with it; must be unique.
        public let name: String
        let body: @Sendable (SQLiteConnection) throws -> Void
    }

    /// The table that records applied migrations.
    public static let tableName = "schema_migrations"

    /// The registered migrations, in order.
    public private(set) var migrations: [Migration] = []

    /// Creates an empty migrator.
    public init() {}

    /// Appends a migration that runs `body` on the write connection, inside its transaction.
    /// `body` must not begin or end transactions itself.
    public mutating func register(_ name: String, _ body: @escaping @Sendable (SQLiteConnection) throws -> Void) {
        precondition(!self.migrations.contains { $0.name == name }, "migration \"\(name)\" is registered twice")
        self.migrations.append(Migration(version: self.migrations.count + 1, name: name, body: body))
    }

    /// Appends a migration that runs an SQL script.
    public mutating func register(_ name: String, sql: String) {
        self.register(name) { connection in try connection.execute(sql) }
    }

    /// The migrations recorded in the database at `connection`, by version.
    public func appliedMigrations(_ connection: SQLiteConnection) throws -> [(version: Int, name: String)] {
        try self.createTableIfNeeded(connection)
        return try connection.query("SELECT version, name FROM \(Self.tableName) ORDER BY version").map { row in
            (row.int(at: 0) ?? 0, row.string(at: 1) ?? "")
        }
    }

    /// Applies every migration the database lacks, in order.
    ///
    /// - Parameter connection: a read-write connection with no open transaction.
    /// - Returns: the names of the migrations applied now (empty when the schema was current).
    /// - Throws: ``SQLiteMigrationError`` when the database is newer than this code, was written
    ///   by different migrations, or a migration fails (that migration is rolled back; earlier
    ///   ones stay applied).
    @discardableResult
    public func migrate(_ connection: SQLiteConnection) throws -> [String] {
        precondition(!connection.isInTransaction, "migrate() runs its own transactions")
        var applied: [String] = []
        try self.checkCompatible(try self.appliedMigrations(connection), path: connection.path)
        for migration in self.migrations {
            if try self.apply(migration, on: connection) { applied.append(migration.name) }
        }
        return applied
    }

    private func createTableIfNeeded(_ connection: SQLiteConnection) throws {
        try connection.execute(
            """
            CREATE TABLE IF NOT EXISTS \(Self.tableName) (
                version INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
            ) STRICT
            """)
    }

    private func checkCompatible(_ recorded: [(version: Int, name: String)], path: String) throws {
        if let newest = recorded.last, newest.version > self.migrations.count {
            throw SQLiteMigrationError(
                kind: .schemaTooNew(
                    databaseVersion: newest.version, databaseMigration: newest.name,
                    knownVersion: self.migrations.count),
                path: path)
        }
        for entry in recorded {
            let expected = self.migrations[entry.version - 1].name
            if entry.name != expected {
                throw SQLiteMigrationError(
                    kind: .mismatch(version: entry.version, databaseMigration: entry.name, knownMigration: expected),
                    path: path)
            }
        }
    }

    /// Applies one migration unless it is already recorded. Returns whether it ran.
    private func apply(_ migration: Migration, on connection: SQLiteConnection) throws -> Bool {
        // https://www.sqlite.org/lang_altertable.html, "Making Other Kinds Of Table Schema
        // Changes": "If foreign key constraints are enabled, disable them using PRAGMA
        // foreign_keys=OFF", because rebuilding a table would otherwise cascade or fail; the
        // pragma "is a no-op within a transaction", so it is switched outside it, and the
        // migration ends with "PRAGMA foreign_key_check" before committing.
        let foreignKeys = try connection.pragma("foreign_keys")?.boolValue ?? false
        if foreignKeys { try connection.setPragma("foreign_keys", to: 0) }
        defer { if foreignKeys { _ = try? connection.setPragma("foreign_keys", to: 1) } }

        return try connection.transaction(.immediate) {
            // Read again inside the write lock: another process may have migrated meanwhile.
            let recorded = try connection.first(
                "SELECT name FROM \(Self.tableName) WHERE version = ?", [migration.version])
            if recorded != nil { return false }
            do {
                try migration.body(connection)
            } catch {
                throw SQLiteMigrationError(
                    kind: .failed(version: migration.version, migration: migration.name), path: connection.path,
                    underlying: error)
            }
            if foreignKeys, let violation = try connection.pragmaRows("foreign_key_check").first {
                throw SQLiteMigrationError(
                    kind: .foreignKeyViolation(
                        version: migration.version, migration: migration.name, table: violation.string(at: 0) ?? "?"),
                    path: connection.path)
            }
            try connection.execute(
                "INSERT INTO \(Self.tableName)(version, name) VALUES (?, ?)", [migration.version, migration.name])
            return true
        }
    }
}
