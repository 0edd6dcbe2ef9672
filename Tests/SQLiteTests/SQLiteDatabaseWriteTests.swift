// slipway — SQLite tests
// SPDX-License-Identifier: Apache-2.0

import Foundation
import SQLite
import Synchronization
import Testing
import TestSupport

@Suite("SQLiteDatabase writes and group commit")
struct SQLiteDatabaseWriteTests {
    @Test("2,000 concurrent writes all land, in far fewer commits")
    func groupCommit() async throws {
        let directory = try TemporaryDirectory()
        let database = try await openItemsDatabase(directory)
        let count = 2_000
        try await withThrowingTaskGroup(of: Int64.self) { group in
            for index in 0..<count {
                group.addTask {
                    try await database.write { db in
                        try db.execute("INSERT INTO items(id, payload) VALUES (?, ?)", [index, "item \(index)"])
                        return db.lastInsertRowID
                    }
                }
            }
            var ids = Set<Int64>()
            for try await id in group { ids.insert(id) }
            #expect(ids.count == count)
        }
        let stored = try await database.read { db in try db.first("SELECT count(*), sum(id) FROM items")! }
        #expect(stored.int(at: 0) == count)
        #expect(stored.int(at: 1) == (0..<count).reduce(0, +))

        let statistics = database.statistics
        print("group commit: \(count) concurrent writes -> \(statistics)")
        #expect(statistics.writes == count)
        #expect(statistics.failedWrites == 0)
        #expect(statistics.commits <= count / 4, "group commit should share commits: \(statistics)")
        #expect(statistics.largestBatch > 1)
        await database.close()
    }

    @Test("a failing write in a batch fails alone; the rest of the batch commits")
    func failingWriteFailsAlone() async throws {
        let directory = try TemporaryDirectory()
        let database = try await openItemsDatabase(directory)
        try await database.write { db in try db.execute("INSERT INTO items VALUES (?, ?)", [1_000, "existing"]) }

        let gate = WriterGate()
        let holder = Task { try await database.write { _ in gate.hold() } }
        try await gate.waitUntilHeld()
        let before = database.statistics

        // 100 writes queue behind the gate: #30 inserts a row and then throws, #60 violates
        // the primary key; they must fail alone.
        let results = Task {
            await withTaskGroup(of: (Int, Result<Int, any Error>).self) { group in
                for index in 0..<100 {
                    group.addTask {
                        do {
                            let value = try await database.write { db -> Int in
                                switch index {
                                case 30:
                                    try db.execute("INSERT INTO items VALUES (?, ?)", [index, "doomed"])
                                    throw DeliberateFailure(id: index)
                                case 60:
                                    try db.execute("INSERT INTO items VALUES (?, ?)", [1_000, "duplicate"])
                                default:
                                    try db.execute("INSERT INTO items VALUES (?, ?)", [index, "ok"])
                                }
                                return index
                            }
                            return (index, .success(value))
                        } catch {
                            return (index, .failure(error))
                        }
                    }
                }
                var results: [Int: Result<Int, any Error>] = [:]
                for await (index, result) in group { results[index] = result }
                return results
            }
        }
        try await waitUntil { database.queuedWrites == 100 }
        gate.release()
        try await holder.value
        let outcome = await results.value

        for index in 0..<100 {
            switch (index, outcome[index]!) {
            case (30, .failure(let error)):
                #expect(error as? DeliberateFailure == DeliberateFailure(id: 30))
            case (60, .failure(let error)):
                #expect((error as? SQLiteError)?.extendedCode == .constraintPrimaryKey)
            case (_, .success(let value)):
                #expect(value == index)
            case (_, .failure(let error)):
                Issue.record("write \(index) failed: \(error)")
            }
        }
        let ids = try await database.read { db in try db.query("SELECT id FROM items ORDER BY id").map { $0.int(at: 0)! } }
        #expect(ids == (0..<100).filter { $0 != 30 && $0 != 60 } + [1_000])
        let after = database.statistics
        #expect(after.commits - before.commits == 2, "the gate's batch, then one batch of 100")
        #expect(after.writes - before.writes == 98 + 1)
        #expect(after.failedWrites - before.failedWrites == 2)
        #expect(after.largestBatch == 100)
        await database.close()
    }

    @Test("a write closure that ends the transaction itself fails, and so do the writes it rolled back")
    func closureEndingTheTransaction() async throws {
        let directory = try TemporaryDirectory()
        let database = try await openItemsDatabase(directory)
        let gate = WriterGate()
        let holder = Task { try await database.write { _ in gate.hold() } }
        try await gate.waitUntilHeld()

        let first = Task { try await database.write { db in try db.execute("INSERT INTO items VALUES (?, ?)", [1, "a"]) } }
        try await waitUntil { database.queuedWrites == 1 }
        let rogue = Task {
            try await database.write { db in
                try db.execute("INSERT INTO items VALUES (?, ?)", [2, "b"])
                try db.execute("COMMIT")
            }
        }
        try await waitUntil { database.queuedWrites == 2 }
        let last = Task { try await database.write { db in try db.execute("INSERT INTO items VALUES (?, ?)", [3, "c"]) } }
        try await waitUntil { database.queuedWrites == 3 }
        gate.release()
        try await holder.value

        // The commit hook turned the rogue COMMIT into a rollback: 1 and 2 are gone and both
        // callers are told so; 3 ran in a fresh transaction.
        await #expect(throws: SQLiteError.self) { try await first.value }
        await #expect(throws: SQLiteError.self) { try await rogue.value }
        try await last.value
        let ids = try await database.read { db in try db.query("SELECT id FROM items").map { $0.int(at: 0)! } }
        #expect(ids == [3])
        await database.close()
    }

    @Test("transaction inside a write becomes a savepoint")
    func nestedTransaction() async throws {
        let directory = try TemporaryDirectory()
        let database = try await openItemsDatabase(directory)
        try await database.write { db in
            try db.execute("INSERT INTO items VALUES (?, ?)", [1, "kept"])
            _ = try? db.transaction {
                try db.execute("INSERT INTO items VALUES (?, ?)", [2, "undone"])
                throw DeliberateFailure(id: 2)
            }
        }
        let ids = try await database.read { db in try db.query("SELECT id FROM items").map { $0.int(at: 0)! } }
        #expect(ids == [1])
        await database.close()
    }

    @Test("close drains queued writes, then refuses new ones")
    func closeDrains() async throws {
        let directory = try TemporaryDirectory()
        let database = try await openItemsDatabase(directory)
        let gate = WriterGate()
        let holder = Task { try await database.write { _ in gate.hold() } }
        try await gate.waitUntilHeld()
        let queued = (0..<10).map { index in
            Task { try await database.write { db in try db.execute("INSERT INTO items VALUES (?, ?)", [index, "x"]) } }
        }
        try await waitUntil { database.queuedWrites == 10 }
        let closing = Task { await database.close() }
        gate.release()
        await closing.value
        try await holder.value
        for task in queued { try await task.value }

        do {
            try await database.write { db in try db.execute("INSERT INTO items VALUES (?, ?)", [99, "late"]) }
            Issue.record("wrote after close")
        } catch let error as SQLiteError {
            #expect(error.code == .misuse)
            #expect(error.message == "the database is closed")
        }
        await #expect(throws: SQLiteError.self) { try await onOwnThread { try database.readNow { _ in 1 } } }
        await database.close()  // again: returns at once

        // The writer closed last, checkpointing the WAL into the database and removing it.
        #expect(!FileManager.default.fileExists(atPath: directory.file("items.db-wal")))
        let check = try SQLiteConnection(path: directory.file("items.db"), mode: .readOnly)
        #expect(try check.first("SELECT count(*) FROM items")?.int(at: 0) == 10)
    }

    @Test("the write connection runs WAL, synchronous=FULL and foreign keys")
    func settings() async throws {
        let directory = try TemporaryDirectory()
        let database = try await openItemsDatabase(directory)
        let settings = try await database.write { db in
            [try db.pragma("journal_mode"), try db.pragma("synchronous"), try db.pragma("foreign_keys")]
        }
        #expect(settings == ["wal", 2, 1])
        let readerMode = try await onOwnThread { try database.readNow { db in (try db.pragma("journal_mode"), db.isReadOnly) } }
        #expect(readerMode.0 == "wal")
        #expect(readerMode.1)
        await database.close()
    }
}
