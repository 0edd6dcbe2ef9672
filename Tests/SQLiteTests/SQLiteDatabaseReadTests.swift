// slipway — SQLite tests
// SPDX-License-Identifier: Apache-2.0

import Foundation
import SQLite
import Synchronization
import Testing

@Suite("SQLiteDatabase reads")
struct SQLiteDatabaseReadTests {
    @Test("reads during a long write transaction neither block nor see uncommitted rows", .timeLimit(.minutes(1)))
    func readsDoNotWaitForTheWriter() async throws {
        let directory = try TemporaryDirectory()
        let database = try await openItemsDatabase(directory)
        try await database.write { db in try db.execute("INSERT INTO items VALUES (?, ?)", [1, "committed"]) }

        let gate = WriterGate()
        let writer = Task {
            try await database.write { db in
                try db.execute("INSERT INTO items VALUES (?, ?)", [2, "uncommitted"])
                gate.hold()  // the write transaction stays open, holding the write lock
            }
        }
        try await gate.waitUntilHeld()

        // The writer holds its transaction until released below: reads that waited for it would
        // never return (and the time limit would end the test).
        let viaReaderThread = try await database.read { db in try db.query("SELECT id FROM items").map { $0.int(at: 0)! } }
        let viaReadNow = try await onOwnThread {
            try database.readNow { db in try db.query("SELECT id FROM items").map { $0.int(at: 0)! } }
        }
        #expect(gate.isHeld, "both reads returned while the write transaction was open")
        #expect(viaReaderThread == [1], "the reader sees the last committed snapshot")
        #expect(viaReadNow == [1])

        gate.release()
        try await writer.value
        let after = try await database.read { db in try db.query("SELECT id FROM items").map { $0.int(at: 0)! } }
        #expect(after == [1, 2])
        await database.close()
    }

    @Test("a read sees one snapshot even while writes commit in between its queries")
    func readIsOneSnapshot() async throws {
        let directory = try TemporaryDirectory()
        let database = try await openItemsDatabase(directory)
        try await database.write { db in try db.execute("INSERT INTO items VALUES (?, ?)", [1, "a"]) }
        let (first, second) = try await onOwnThread {
            try database.readNow { db -> (Int, Int) in
                let first = try db.first("SELECT count(*) FROM items")!.int(at: 0)!
                // Commit a write from another thread while this read transaction is open.
                let done = Atomic<Bool>(false)
                Task {
                    try await database.write { db in try db.execute("INSERT INTO items VALUES (?, ?)", [2, "b"]) }
                    done.store(true, ordering: .releasing)
                }
                while !done.load(ordering: .acquiring) { usleep(1_000) }
                let second = try db.first("SELECT count(*) FROM items")!.int(at: 0)!
                return (first, second)
            }
        }
        #expect(first == 1)
        #expect(second == 1, "the second query of the same read sees the same snapshot")
        #expect(try await onOwnThread { try database.readNow { db in try db.first("SELECT count(*) FROM items")!.int(at: 0) } } == 2)
        await database.close()
    }

    @Test("read connections map the file into memory; the writer does not")
    func readersMapTheFile() async throws {
        let directory = try TemporaryDirectory()
        let database = try await openItemsDatabase(directory)
        let expected = Int64(SQLiteDatabase.Configuration().readerMemoryMapBytes)
        #expect(expected > 0)
        #expect(try await database.read { db in try db.pragma("mmap_size")?.int64Value } == expected)
        #expect(try await onOwnThread { try database.readNow { db in try db.pragma("mmap_size")?.int64Value } } == expected)
        #expect(try await database.write { db in try db.pragma("mmap_size")?.int64Value } == 0)
        await database.close()
    }

    @Test("readNow from many threads at once")
    func readNowConcurrently() async throws {
        let directory = try TemporaryDirectory()
        let database = try await openItemsDatabase(directory)
        try await database.write { db in
            for index in 0..<100 { try db.execute("INSERT INTO items VALUES (?, ?)", [index, "p\(index)"]) }
        }
        try await withThrowingTaskGroup(of: Int.self) { group in
            for thread in 0..<8 {
                group.addTask {
                    try await onOwnThread {
                        var found = 0
                        for index in 0..<200 {
                            let id = (index * 7 + thread) % 100
                            let payload = try database.readNow { db in
                                try db.first("SELECT payload FROM items WHERE id = ?", [id])?.string(at: 0)
                            }
                            if payload == "p\(id)" { found += 1 }
                        }
                        return found
                    }
                }
            }
            for try await found in group { #expect(found == 200) }
        }
        await database.close()
    }

    @Test("read closures may return rows; errors from them propagate")
    func readErrors() async throws {
        let directory = try TemporaryDirectory()
        let database = try await openItemsDatabase(directory)
        try await database.write { db in try db.execute("INSERT INTO items VALUES (?, ?)", [7, "seven"]) }
        let rows = try await database.read { db in try db.query("SELECT * FROM items") }
        #expect(rows.first?.string(named: "payload") == "seven")
        await #expect(throws: SQLiteError.self) { try await database.read { db in try db.query("SELECT * FROM nope") } }
        await #expect(throws: SQLiteError.self) {
            try await database.read { db in try db.execute("INSERT INTO items VALUES (?, ?)", [8, "x"]) }
        }
        await database.close()
    }

    @Test("backup writes a consistent copy to a new file; checkpoint empties the WAL")
    func backupAndCheckpoint() async throws {
        let directory = try TemporaryDirectory()
        let database = try await openItemsDatabase(directory)
        try await database.write { db in
            for index in 0..<500 { try db.execute("INSERT INTO items VALUES (?, ?)", [index, String(repeating: "x", count: 100)]) }
        }
        let copy = directory.file("copy.db")
        try await database.backup(to: copy)
        await #expect(throws: SQLiteError.self) { try await database.backup(to: copy) }
        let backup = try SQLiteConnection(path: copy, mode: .readOnly)
        #expect(try backup.first("SELECT count(*) FROM items")?.int(at: 0) == 500)
        #expect(try backup.first("PRAGMA integrity_check")?.string(at: 0) == "ok")

        let result = try await database.checkpoint(.truncate)
        #expect(result.isComplete)
        let walSize = (try FileManager.default.attributesOfItem(atPath: directory.file("items.db-wal"))[.size] as? Int) ?? -1
        #expect(walSize == 0)
        await database.close()
    }
}
