// slipway — SQLite tests
// SPDX-License-Identifier: Apache-2.0

import CSQLite
import SQLite
import Testing

@Suite("SQLiteConnection")
struct SQLiteConnectionTests {
    @Test("execute runs a script; prepare takes exactly one statement")
    func scriptsAndStatements() throws {
        let directory = try TemporaryDirectory()
        let connection = try SQLiteConnection(path: directory.file("c.db"))
        try connection.execute(
            """
            -- a comment first
            CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT NOT NULL);
            INSERT INTO t(name) VALUES ('a');
            INSERT INTO t(name) VALUES ('b');  -- trailing comment
            """)
        #expect(connection.lastInsertRowID == 2)
        #expect(try connection.query("SELECT name FROM t ORDER BY id").map { $0.string(at: 0) } == ["a", "b"])

        #expect(try connection.prepare("SELECT 1; -- only a comment after").columnCount == 1)
        do {
            _ = try connection.prepare("SELECT 1; SELECT 2")
            Issue.record("prepare accepted two statements")
        } catch let error as SQLiteError {
            #expect(error.code == .misuse)
        }
        // A failing statement of a script is named in the error.
        do {
            try connection.execute("INSERT INTO t(name) VALUES ('c'); INSERT INTO nope VALUES (1);")
            Issue.record("script with a bad statement succeeded")
        } catch let error as SQLiteError {
            #expect(error.code == .error)
            #expect(error.sql?.contains("INSERT INTO nope") == true)
            #expect(error.message.contains("no such table: nope"))
        }
    }

    @Test("text(at:) reads text or NULL in one call; integer(notNullAt:) reads without a NULL check")
    func leanColumnReaders() throws {
        let directory = try TemporaryDirectory()
        let connection = try SQLiteConnection(path: directory.path + "/lean.db")
        let statement = try connection.prepare("SELECT NULL, 'x', '', 'é' || char(0) || 'z', 42, 7")
        #expect(try statement.step())
        #expect(statement.text(at: 0) == nil)
        #expect(statement.text(at: 1) == "x")
        #expect(statement.text(at: 2) == "")
        #expect(statement.text(at: 3) == "é\u{0}z", "the length comes from SQLite, not from a NUL")
        #expect(statement.text(at: 4) == "42", "a number reads as SQLite's text for it")
        #expect(statement.integer(notNullAt: 5) == 7)
        #expect(statement.integer(notNullAt: 0) == 0, "NULL reads as 0: only for NOT NULL columns")
    }

    @Test("changes, totalChanges and lastInsertRowID")
    func counters() throws {
        let directory = try TemporaryDirectory()
        let connection = try SQLiteConnection(path: directory.file("c.db"))
        try connection.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, n INTEGER)")
        for n in 1...5 { try connection.execute("INSERT INTO t(n) VALUES (?)", [n]) }
        #expect(connection.lastInsertRowID == 5)
        try connection.execute("UPDATE t SET n = n + 1 WHERE n > ?", [2])
        #expect(connection.changes == 3)
        #expect(connection.totalChanges == 8)
    }

    @Test("the statement cache reuses statements and survives nested use of the same SQL")
    func statementCache() throws {
        let directory = try TemporaryDirectory()
        let connection = try SQLiteConnection(path: directory.file("c.db"))
        try connection.execute("CREATE TABLE t(id INTEGER PRIMARY KEY)")
        for id in 1...3 { try connection.execute("INSERT INTO t(id) VALUES (?)", [id]) }
        let sql = "SELECT id FROM t WHERE id >= ? ORDER BY id"
        let first = try connection.cachedStatement(sql)
        let second = try connection.cachedStatement(sql)
        #expect(first === second)

        var pairs: [String] = []
        try connection.forEach(sql, [1]) { outer in
            let outerID = outer.int(at: 0)!
            try connection.forEach(sql, [outerID]) { inner in pairs.append("\(outerID)-\(inner.int(at: 0)!)") }
        }
        #expect(pairs == ["1-1", "1-2", "1-3", "2-2", "2-3", "3-3"])
    }

    @Test("the statement cache keeps the most recently used statements within its capacity")
    func statementCacheEviction() throws {
        let directory = try TemporaryDirectory()
        let connection = try SQLiteConnection(path: directory.file("c.db"), statementCacheCapacity: 2)
        let (a, b, c) = ("SELECT 1", "SELECT 2", "SELECT 3")
        let a1 = try connection.cachedStatement(a)
        let b1 = try connection.cachedStatement(b)
        #expect(try connection.cachedStatement(a) === a1)
        let c1 = try connection.cachedStatement(c)  // evicts b, the least recently used
        #expect(try connection.cachedStatement(a) === a1)
        #expect(try connection.cachedStatement(c) === c1)
        #expect(try connection.cachedStatement(String("SELECT 3".reversed().reversed())) === c1, "equal text, another string")
        #expect(try connection.cachedStatement(b) !== b1)
        for (sql, value) in [(a, 1), (b, 2), (c, 3), (a, 1)] {
            #expect(try connection.first(sql)?.int(at: 0) == value)
        }
    }

    @Test("transaction commits on return and rolls back on throw; nested becomes a savepoint")
    func transactions() throws {
        let directory = try TemporaryDirectory()
        let connection = try SQLiteConnection(path: directory.file("c.db"))
        try connection.execute("CREATE TABLE t(id INTEGER PRIMARY KEY)")
        try connection.transaction { try connection.execute("INSERT INTO t VALUES (?)", [1]) }
        #expect(throws: DeliberateFailure.self) {
            try connection.transaction {
                try connection.execute("INSERT INTO t VALUES (?)", [2])
                throw DeliberateFailure(id: 2)
            }
        }
        #expect(!connection.isInTransaction)
        try connection.transaction {
            try connection.execute("INSERT INTO t VALUES (?)", [3])
            #expect(throws: DeliberateFailure.self) {
                try connection.transaction {
                    try connection.execute("INSERT INTO t VALUES (?)", [4])
                    throw DeliberateFailure(id: 4)
                }
            }
            #expect(connection.isInTransaction, "the inner failure rolled back only its savepoint")
        }
        #expect(try connection.query("SELECT id FROM t ORDER BY id").map { $0.int(at: 0) } == [1, 3])
    }

    @Test("pragmas read and set; bad names are refused")
    func pragmas() throws {
        let directory = try TemporaryDirectory()
        let connection = try SQLiteConnection(path: directory.file("c.db"))
        #expect(try connection.setPragma("journal_mode", to: "wal") == "wal")
        #expect(try connection.pragma("journal_mode") == "wal")
        try connection.setPragma("user_version", to: 7)
        #expect(try connection.pragma("user_version") == 7)
        try connection.execute("CREATE TABLE jobs(id INTEGER PRIMARY KEY, state TEXT)")
        #expect(try connection.pragmaRows("table_info", argument: "jobs").map { $0.string(named: "name") } == ["id", "state"])
        #expect(throws: SQLiteError.self) { _ = try connection.pragma("user_version; DROP TABLE jobs") }
    }

    @Test("double-quoted strings are identifiers, never string literals")
    func doubleQuotedStringsAreOff() throws {
        let directory = try TemporaryDirectory()
        let connection = try SQLiteConnection(path: directory.file("c.db"))
        try connection.execute("CREATE TABLE t(name TEXT)")
        // With SQLite's legacy default this would quietly compare with the string "nmae".
        #expect(throws: SQLiteError.self) { _ = try connection.query("SELECT * FROM t WHERE \"nmae\" = 'x'") }
    }

    @Test("a closed connection refuses work with a clear error, and closing twice is harmless")
    func closing() throws {
        let directory = try TemporaryDirectory()
        let connection = try SQLiteConnection(path: directory.file("c.db"))
        try connection.execute("CREATE TABLE t(id)")
        let kept = try connection.prepare("SELECT * FROM t")
        try connection.close()
        try connection.close()
        #expect(!connection.isOpen)
        do {
            try connection.execute("SELECT 1", [])
            Issue.record("a closed connection ran SQL")
        } catch let error as SQLiteError {
            #expect(error.code == .misuse)
            #expect(error.reason.contains("closed"))
        }
        #expect(throws: SQLiteError.self) { try kept.step() }
    }

    @Test("a read-only connection cannot write, and says so")
    func readOnly() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("c.db")
        try SQLiteConnection(path: path).execute("CREATE TABLE t(id)")
        let reader = try SQLiteConnection(path: path, mode: .readOnly)
        #expect(reader.isReadOnly)
        do {
            try reader.execute("INSERT INTO t VALUES (?)", [1])
            Issue.record("a read-only connection wrote")
        } catch let error as SQLiteError {
            #expect(error.code == .readOnly)
            #expect(error.reason.contains("read-only connection"))
        }
    }

    @Test("busyTimeout converts to milliseconds")
    func busyTimeout() throws {
        let directory = try TemporaryDirectory()
        let connection = try SQLiteConnection(path: directory.file("c.db"))
        connection.busyTimeout = .milliseconds(1500)
        #expect(connection.busyTimeout == .milliseconds(1500))
    }
}

/// SQLite's memory statistics take one process-wide mutex around every allocation; the event
/// loops' readers queued on it. With them off SQLite counts nothing.
@Suite("SQLite library settings")
struct SQLiteLibrarySettingsTests {
    @Test func memoryStatisticsAreOff() async throws {
        let directory = try TemporaryDirectory()
        let database = try await openItemsDatabase(directory)
        try await database.write { db in
            for index in 0..<100 { try db.execute("INSERT INTO items VALUES (?, ?)", [index, String(repeating: "x", count: 1000)]) }
        }
        _ = try await database.read { db in try db.query("SELECT * FROM items") }
        #expect(sqlite3_memory_used() == 0)
        #expect(sqlite3_memory_highwater(0) == 0)
        await database.close()
    }
}
