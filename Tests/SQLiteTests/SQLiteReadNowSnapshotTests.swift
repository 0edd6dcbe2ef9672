// slipway — SQLite tests
// SPDX-License-Identifier: Apache-2.0

import Foundation
import SQLite
import Synchronization
import Testing

/// `readNow` keeps a connection's read transaction open between calls while nothing commits
/// (ReadConnectionPool): these check that no acknowledged write is ever missed, that the
/// sharing really happens, and that open snapshots neither block checkpoints nor let the WAL
/// grow.
@Suite("SQLiteDatabase readNow snapshots")
struct SQLiteReadNowSnapshotTests {
    @Test("a readNow after an acknowledged write sees it, on the thread that read before")
    func readNowSeesAcknowledgedWrites() async throws {
        let directory = try TemporaryDirectory()
        let database = try await openItemsDatabase(directory)
        let seen = try await onOwnThread {
            var seen: [Int] = []
            for index in 0..<50 {
                seen.append(try database.readNow { db in try db.first("SELECT count(*) FROM items")!.int(at: 0)! })
                let done = Atomic<Bool>(false)
                Task {
                    try await database.write { db in try db.execute("INSERT INTO items VALUES (?, ?)", [index, "p"]) }
                    done.store(true, ordering: .releasing)
                }
                while !done.load(ordering: .acquiring) { usleep(200) }
            }
            seen.append(try database.readNow { db in try db.first("SELECT count(*) FROM items")!.int(at: 0)! })
            return seen
        }
        #expect(seen == Array(0...50))
        await database.close()
    }

    @Test("reads between two commits share a snapshot; the next commit ends it")
    func readsBetweenCommitsShareASnapshot() async throws {
        let directory = try TemporaryDirectory()
        let database = try await openItemsDatabase(directory)
        try await database.write { db in try db.execute("INSERT INTO items VALUES (1, 'one')", []) }
        let count = { @Sendable in try database.readNow { db in try db.first("SELECT count(*) FROM items")!.int(at: 0)! } }
        #expect(try await onOwnThread(count) == 1)

        // Another connection writes behind the writer's back: the shared snapshot does not
        // see it (which is what shows that it is shared)...
        let outsider = try SQLiteConnection(path: directory.file("items.db"), mode: .readWrite)
        outsider.busyTimeout = .seconds(10)
        try outsider.execute("INSERT INTO items VALUES (2, 'outside')", [])
        try outsider.close()
        #expect(try await onOwnThread(count) == 1, "reads between two commits of the writer share one snapshot")

        // ...until the writer commits: then every later read sees both rows.
        try await database.write { db in try db.execute("INSERT INTO items VALUES (3, 'three')", []) }
        #expect(try await onOwnThread(count) == 3)
        await database.close()
    }

    @Test("an idle snapshot does not hold up a truncating checkpoint")
    func idleSnapshotsDoNotBlockCheckpoints() async throws {
        let directory = try TemporaryDirectory()
        let database = try await openItemsDatabase(directory) { $0.busyTimeout = .seconds(120) }
        try await database.write { db in
            for index in 0..<200 { try db.execute("INSERT INTO items VALUES (?, ?)", [index, String(repeating: "x", count: 100)]) }
        }
        #expect(try await onOwnThread { try database.readNow { db in try db.first("SELECT count(*) FROM items")!.int(at: 0) } } == 200)
        let started = ContinuousClock.now
        let result = try await database.checkpoint(.truncate)
        #expect(result.isComplete)
        #expect(ContinuousClock.now - started < .seconds(60), "the checkpoint waited for a reader (up to the 120 s busy timeout)")
        #expect(try fileSize(directory.file("items.db-wal")) == 0)
        #expect(try await onOwnThread { try database.readNow { db in try db.first("SELECT count(*) FROM items")!.int(at: 0) } } == 200)
        await database.close()
    }

    @Test("with reads running all the time, the WAL is still checkpointed and restarted")
    func walStaysBoundedUnderConstantReads() async throws {
        let directory = try TemporaryDirectory()
        let database = try await openItemsDatabase(directory)
        let writesDone = SharedCounter()
        let reads = SharedCounter()
        let readers = (0..<2).map { _ in
            Task {
                try await onOwnThread {
                    while writesDone.current == 0 {
                        _ = try database.readNow { db in try db.first("SELECT count(*) FROM items")?.int(at: 0) }
                        _ = reads.next()
                    }
                }
            }
        }
        // 1,500 commits of about 4 WAL pages each: some 6,000 pages (24 MB) if the WAL were
        // never restarted; SQLite's threshold is 1,000 pages (4 MB).
        let payload = String(repeating: "p", count: 6_000)
        var largestWAL = 0
        for index in 0..<1_500 {
            try await database.write { db in try db.execute("INSERT INTO items VALUES (?, ?)", [index, payload]) }
            if index % 100 == 99 { largestWAL = max(largestWAL, try fileSize(directory.file("items.db-wal"))) }
        }
        _ = writesDone.next()
        for reader in readers { try await reader.value }
        #expect(reads.current > 1_500, "the readers read while the writes committed")
        #expect(largestWAL < 8 * 1024 * 1024, "the WAL grew to \(largestWAL) bytes")
        #expect(try await onOwnThread { try database.readNow { db in try db.first("SELECT count(*) FROM items")!.int(at: 0) } } == 1_500)
        await database.close()
    }
}

private func fileSize(_ path: String) throws -> Int {
    (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? -1
}
