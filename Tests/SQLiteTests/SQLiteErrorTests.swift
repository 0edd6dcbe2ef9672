// slipway — SQLite tests
// SPDX-License-Identifier: Apache-2.0

import Foundation
import SQLite
import Testing

@Suite("SQLiteError")
struct SQLiteErrorTests {
    @Test("a constraint violation has the constraint code, the extended code and the SQL")
    func constraint() throws {
        let directory = try TemporaryDirectory()
        let connection = try SQLiteConnection(path: directory.file("e.db"))
        try connection.execute("CREATE TABLE jobs(id TEXT PRIMARY KEY, state TEXT NOT NULL)")
        try connection.execute("INSERT INTO jobs VALUES (?, ?)", ["a", "queued"])
        let sql = "INSERT INTO jobs VALUES (?, ?)"
        do {
            try connection.execute(sql, ["a", "queued"])
            Issue.record("duplicate key accepted")
        } catch let error as SQLiteError where error.code == .constraint {
            #expect(error.extendedCode == .constraintPrimaryKey)
            #expect(error.sql == sql)
            #expect(error.message == "UNIQUE constraint failed: jobs.id")
            #expect(error.path == directory.file("e.db"))
            #expect(error.description.contains("SQLITE_CONSTRAINT_PRIMARYKEY (1555)"))
            #expect(error.description.contains(sql))
            #expect(error.reason == "a constraint failed: UNIQUE constraint failed: jobs.id")
        }
        do {
            try connection.execute(sql, ["b", nil])
            Issue.record("NULL accepted in a NOT NULL column")
        } catch let error as SQLiteError {
            // A primary code used as a pattern matches its extended codes.
            switch error.extendedCode {
            case .constraintUnique: Issue.record("wrong extended code")
            case .constraint: #expect(error.extendedCode == .constraintNotNull)
            default: Issue.record("not a constraint error: \(error)")
            }
        }
    }

    @Test("foreign keys are enforced by the database's connections")
    func foreignKey() async throws {
        let directory = try TemporaryDirectory()
        var migrator = SQLiteMigrator()
        migrator.register(
            "schema",
            sql: """
                CREATE TABLE pipelines(id INTEGER PRIMARY KEY);
                CREATE TABLE jobs(id INTEGER PRIMARY KEY, pipeline INTEGER NOT NULL REFERENCES pipelines(id));
                """)
        let database = try await SQLiteDatabase(path: directory.file("fk.db"), configuration: .init(migrator: migrator))
        do {
            try await database.write { db in try db.execute("INSERT INTO jobs(pipeline) VALUES (?)", [42]) }
            Issue.record("orphan row accepted")
        } catch let error as SQLiteError {
            #expect(error.extendedCode == .constraintForeignKey)
        }
        await database.close()
    }

    @Test("a syntax error carries the SQL")
    func syntax() throws {
        let directory = try TemporaryDirectory()
        let connection = try SQLiteConnection(path: directory.file("e.db"))
        do {
            _ = try connection.prepare("SELEKT 1")
            Issue.record("syntax error accepted")
        } catch let error as SQLiteError {
            #expect(error.code == .error)
            #expect(error.sql == "SELEKT 1")
            #expect(error.message.contains("syntax error"))
        }
    }

    @Test("a missing directory gives an actionable cannot-open error")
    func cantOpen() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("missing/slipway.db")
        do {
            _ = try await SQLiteDatabase(path: path)
            Issue.record("opened a database in a missing directory")
        } catch let error as SQLiteError {
            #expect(error.code == .cantOpen)
            #expect(error.path == path)
            #expect(error.reason.contains("cannot open the database at \(path)"))
            #expect(error.reason.contains("No such file or directory"))
        }
    }

    @Test("a locked database says so and names the timeout")
    func busy() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("e.db")
        let holder = try SQLiteConnection(path: path)
        try holder.setPragma("journal_mode", to: "wal")
        try holder.execute("CREATE TABLE t(id)")
        let other = try SQLiteConnection(path: path)
        other.busyTimeout = .milliseconds(50)
        try holder.execute("BEGIN IMMEDIATE")
        defer { try? holder.execute("ROLLBACK") }
        do {
            try other.execute("INSERT INTO t VALUES (?)", [1])
            Issue.record("wrote while another connection held the write lock")
        } catch let error as SQLiteError {
            #expect(error.code == .busy)
            #expect(error.reason.hasPrefix("database is locked at \(path)"))
            #expect(error.reason.contains("busy timeout"))
        }
    }

    @Test(
        "reasons a person can act on",
        arguments: [
            (SQLiteError(code: .ioErrorFsync, path: "/data/slipway.db", systemErrno: EIO),
             "disk I/O error at /data/slipway.db while syncing to disk (Input/output error)"),
            (SQLiteError(code: .full, path: "/data/slipway.db", systemErrno: ENOSPC),
             "the disk holding the database at /data/slipway.db is full (No space left on device)"),
            (SQLiteError(code: .cantOpen, path: "/data/slipway.db", systemErrno: EACCES),
             "the data directory is read-only: cannot open the database at /data/slipway.db (Permission denied)"),
            (SQLiteError(code: .readOnlyDirectory, path: "/data/slipway.db"),
             "the data directory is read-only: SQLite needs to create or write the -wal and -shm files"),
            (SQLiteError(code: .readOnly, path: "/data/slipway.db", systemErrno: EROFS),
             "the data directory is read-only: cannot write the database at /data/slipway.db (Read-only file system)"),
            (SQLiteError(code: .notADatabase, path: "/data/slipway.db"),
             "the file at /data/slipway.db is not a valid SQLite database or is corrupt"),
        ])
    func reasons(_ error: SQLiteError, expectedPrefix: String) {
        #expect(error.reason.hasPrefix(expectedPrefix), "\(error.reason)")
    }

    @Test("code names and families")
    func codes() {
        #expect(SQLiteError.Code.constraintUnique.primary == .constraint)
        #expect(SQLiteError.Code.constraint.isPrimary)
        #expect(!SQLiteError.Code.constraintUnique.isPrimary)
        #expect(SQLiteError.Code.ioErrorFsync.description == "SQLITE_IOERR_FSYNC (1034)")
        #expect(SQLiteError.Code(rawValue: 10 | (30 << 8)).description == "SQLITE_IOERR_30 (7690)")
        #expect(SQLiteError.Code.busy.explanation == "database is locked")
        let error = SQLiteError(code: .constraintUnique)
        #expect(error.code == .constraint)
        #expect(error.message == "constraint failed")
    }

    @Test("a file that is not a database is reported as such")
    func notADatabase() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("junk.db")
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path))
        let connection = try SQLiteConnection(path: path)
        do {
            _ = try connection.query("SELECT * FROM sqlite_schema")
            Issue.record("read a junk file as a database")
        } catch let error as SQLiteError {
            #expect(error.code == .notADatabase)
            #expect(error.reason.contains("not a valid SQLite database"))
        }
    }
}
