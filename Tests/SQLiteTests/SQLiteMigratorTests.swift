// slipway — SQLite tests
// SPDX-License-Identifier: Apache-2.0

import SQLite
import Testing

@Suite("SQLiteMigrator")
struct SQLiteMigratorTests {
    /// A migrator whose migrations count how often they run.
    static func migrator(_ names: [String], runs: LockedList<String>? = nil) -> SQLiteMigrator {
        var migrator = SQLiteMigrator()
        for (index, name) in names.enumerated() {
            migrator.register(name) { db in
                runs?.append(name)
                try db.execute("CREATE TABLE t\(index + 1)(id INTEGER PRIMARY KEY)")
            }
        }
        return migrator
    }

    @Test("applies in order, records each, and applies nothing again on reopen")
    func applyAndReopen() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("m.db")
        let runs = LockedList<String>()

        let first = try await SQLiteDatabase(
            path: path, configuration: .init(migrator: Self.migrator(["one", "two"], runs: runs)))
        await first.close()
        #expect(runs.elements == ["one", "two"])

        // Reopen with one more migration: only the new one runs.
        let second = try await SQLiteDatabase(
            path: path, configuration: .init(migrator: Self.migrator(["one", "two", "three"], runs: runs)))
        let recorded = try await second.read { db in
            try db.query("SELECT version, name FROM schema_migrations ORDER BY version").map {
                "\($0.int(at: 0)!):\($0.string(at: 1)!)"
            }
        }
        #expect(recorded == ["1:one", "2:two", "3:three"])
        await second.close()
        #expect(runs.elements == ["one", "two", "three"])

        // And once more with the same list: nothing runs.
        let connection = try SQLiteConnection(path: path)
        #expect(try Self.migrator(["one", "two", "three"], runs: runs).migrate(connection).isEmpty)
        #expect(runs.elements == ["one", "two", "three"])
    }

    @Test("refuses a database whose schema is newer than the code")
    func newerSchemaRefused() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("m.db")
        let newer = try await SQLiteDatabase(path: path, configuration: .init(migrator: Self.migrator(["one", "two", "three"])))
        await newer.close()
        do {
            let older = try await SQLiteDatabase(path: path, configuration: .init(migrator: Self.migrator(["one", "two"])))
            await older.close()
            Issue.record("an older build opened a newer database")
        } catch let error as SQLiteMigrationError {
            #expect(error.kind == .schemaTooNew(databaseVersion: 3, databaseMigration: "three", knownVersion: 2))
            #expect(error.description.contains("has schema version 3 (\"three\"), newer than the 2 migrations"))
        }
    }

    @Test("refuses a database written by different migrations")
    func mismatchRefused() throws {
        let directory = try TemporaryDirectory()
        let connection = try SQLiteConnection(path: directory.file("m.db"))
        try Self.migrator(["one", "two"]).migrate(connection)
        do {
            try Self.migrator(["one", "deux"]).migrate(connection)
            Issue.record("diverging migrations accepted")
        } catch let error as SQLiteMigrationError {
            #expect(error.kind == .mismatch(version: 2, databaseMigration: "two", knownMigration: "deux"))
        }
    }

    @Test("a failing migration is rolled back; the ones before it stay")
    func failureRollsBack() throws {
        let directory = try TemporaryDirectory()
        let connection = try SQLiteConnection(path: directory.file("m.db"))
        var migrator = SQLiteMigrator()
        migrator.register("good", sql: "CREATE TABLE good(id INTEGER PRIMARY KEY)")
        migrator.register("bad") { db in
            try db.execute("CREATE TABLE half(id INTEGER PRIMARY KEY)")
            try db.execute("INSERT INTO missing VALUES (1)")
        }
        do {
            try migrator.migrate(connection)
            Issue.record("a failing migration succeeded")
        } catch let error as SQLiteMigrationError {
            #expect(error.kind == .failed(version: 2, migration: "bad"))
            #expect((error.underlying as? SQLiteError)?.message == "no such table: missing")
        }
        let tables = try connection.query("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").map {
            $0.string(at: 0)!
        }
        #expect(tables == ["good", "schema_migrations"])
        #expect(try migrator.appliedMigrations(connection).map(\.name) == ["good"])
    }

    @Test("a migration that rebuilds a table runs with foreign keys off and is checked after")
    func foreignKeysDuringMigration() async throws {
        let directory = try TemporaryDirectory()
        var migrator = SQLiteMigrator()
        migrator.register(
            "create",
            sql: """
                CREATE TABLE pipelines(id INTEGER PRIMARY KEY);
                CREATE TABLE jobs(id INTEGER PRIMARY KEY, pipeline INTEGER REFERENCES pipelines(id) ON DELETE CASCADE);
                INSERT INTO pipelines VALUES (1);
                INSERT INTO jobs VALUES (10, 1);
                """)
        // The documented 12-step rebuild: with foreign keys on, DROP TABLE pipelines would
        // cascade and delete the job.
        migrator.register(
            "rebuild pipelines",
            sql: """
                CREATE TABLE pipelines_new(id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '');
                INSERT INTO pipelines_new(id) SELECT id FROM pipelines;
                DROP TABLE pipelines;
                ALTER TABLE pipelines_new RENAME TO pipelines;
                """)
        let database = try await SQLiteDatabase(path: directory.file("fk.db"), configuration: .init(migrator: migrator))
        let jobs = try await database.read { db in try db.query("SELECT id FROM jobs").count }
        #expect(jobs == 1)
        let foreignKeys = try await database.write { db in try db.pragma("foreign_keys") }
        #expect(foreignKeys == 1)
        await database.close()
    }
}
