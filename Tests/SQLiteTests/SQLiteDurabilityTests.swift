// slipway — SQLite tests
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Processes
import SQLite
import Synchronization
import Testing
import TestSupport

/// Set in the child process of the crash test: the database it writes to.
private let crashChildDatabase = ProcessRunner.environment["SLIPWAY_SQLITE_CRASH_CHILD_DB"]

@Suite("Durability")
struct SQLiteDurabilityTests {
    @Test("acknowledged writes are visible to an independent connection, before and after close")
    func independentConnectionSeesAcknowledgedWrites() async throws {
        let directory = try TemporaryDirectory()
        let database = try await openItemsDatabase(directory)
        let count = 500
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<count {
                group.addTask {
                    try await database.write { db in try db.execute("INSERT INTO items VALUES (?, ?)", [index, "row"]) }
                }
            }
            try await group.waitForAll()
        }
        // A connection of its own, outside the database's pools, as another process would open.
        let independent = try SQLiteConnection(path: directory.file("items.db"), mode: .readOnly)
        #expect(try independent.first("SELECT count(*) FROM items")?.int(at: 0) == count)
        try independent.close()

        await database.close()
        let reopened = try SQLiteConnection(path: directory.file("items.db"))
        #expect(try reopened.first("SELECT count(*) FROM items")?.int(at: 0) == count)
        #expect(try reopened.first("PRAGMA integrity_check")?.string(at: 0) == "ok")
    }

    /// Runs only as the child of ``acknowledgedWritesSurviveKill()``: writes rows through the
    /// writer from 32 tasks and prints `ACK <id>` after each write returns, until killed.
    @Test(.enabled(if: crashChildDatabase != nil, "runs only as the crash test's child process"))
    func crashChildWriter() async throws {
        let path = try #require(crashChildDatabase)
        var migrator = SQLiteMigrator()
        migrator.register("items", sql: "CREATE TABLE items(id INTEGER PRIMARY KEY, payload TEXT NOT NULL) STRICT")
        let database = try await SQLiteDatabase(path: path, configuration: .init(migrator: migrator))
        let next = SharedCounter()
        let deadline = ContinuousClock.now + .seconds(60)  // in case the parent never kills us
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<32 {
                group.addTask {
                    while ContinuousClock.now < deadline {
                        let id = next.next()
                        try await database.write { db in
                            try db.execute("INSERT INTO items VALUES (?, ?)", [id, String(repeating: "p", count: 200)])
                        }
                        // One write(2) per line: atomic on a pipe (pipe(7): writes of up to
                        // PIPE_BUF bytes are atomic), and unbuffered, so the parent sees every
                        // acknowledgement the moment it is made.
                        let line = Array("ACK \(id)\n".utf8)
                        _ = line.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    @Test(
        "every acknowledged write survives kill -9 of the writing process",
        .enabled(if: crashChildDatabase == nil), .timeLimit(.minutes(2)))
    func acknowledgedWritesSurviveKill() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("crash.db")
        // Create the schema first, so the child only opens it.
        await (try await openItemsDatabase(directory, name: "crash.db")).close()

        // The child writes one `ACK <id>` line per acknowledged write to a file; once it is dead,
        // the file holds every acknowledgement it made.
        let output = directory.file("child.out")
        let child = try await ProcessRunner.start(
            "/proc/self/exe", ["--testing-library", "swift-testing", "--filter", "crashChildWriter"],
            environment: ["SLIPWAY_SQLITE_CRASH_CHILD_DB": path], logPath: output)
        func acknowledgements() -> [Int] {
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap { $0.hasPrefix("ACK ") ? Int($0.dropFirst(4)) : nil }
        }

        // Let it acknowledge a few thousand writes, then kill it mid-stream.
        try await waitUntil("3,000 acknowledged writes", timeout: .seconds(60)) { acknowledgements().count >= 3_000 || !child.isRunning }
        #expect(child.isRunning, "the child stopped before it was killed")
        child.signal(SIGKILL)
        let outcome = await child.wait()
        #expect(outcome.termination == .signaled(SIGKILL))
        let acked = Set(acknowledgements())

        // Reopen as a fresh process would: WAL recovery runs here.
        let database = try await openItemsDatabase(directory, name: "crash.db")
        let stored = try await database.read { db in Set(try db.query("SELECT id FROM items").map { $0.int(at: 0)! }) }
        let integrity = try await database.read { db in try db.first("PRAGMA integrity_check")?.string(at: 0) }
        await database.close()

        let lost = acked.subtracting(stored)
        print(
            "crash test: \(acked.count) writes acknowledged before kill -9, \(stored.count) rows after reopening, "
                + "\(lost.count) acknowledged rows lost")
        #expect(acked.count >= 3_000)
        #expect(lost.isEmpty, "acknowledged but lost: \(lost.sorted().prefix(20))")
        #expect(integrity == "ok")
    }
}
