// slipway — SQLite tests
// SPDX-License-Identifier: Apache-2.0

import Foundation
import SQLite
import Synchronization
import Testing

/// Set in the child process of the crash test: the database it writes to.
private let crashChildDatabase = ProcessInfo.processInfo.environment["SLIPWAY_SQLITE_CRASH_CHILD_DB"]

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

        let acknowledged = LockedList<Int>()
        let buffer = Mutex<[UInt8]>([])
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        child.arguments = ["--testing-library", "swift-testing", "--filter", "crashChildWriter"]
        child.environment = ProcessInfo.processInfo.environment.merging(["SLIPWAY_SQLITE_CRASH_CHILD_DB": path]) { $1 }
        let output = Pipe()
        child.standardOutput = output
        child.standardError = FileHandle.nullDevice
        output.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            let lines = buffer.withLock { buffer -> [Substring] in
                buffer.append(contentsOf: data)
                guard let end = buffer.lastIndex(of: UInt8(ascii: "\n")) else { return [] }
                let complete = String(decoding: buffer[...end], as: UTF8.self)
                buffer.removeSubrange(...end)
                return complete.split(separator: "\n")
            }
            for line in lines where line.hasPrefix("ACK ") {
                if let id = Int(line.dropFirst(4)) { acknowledged.append(id) }
            }
        }
        let exited = ExitWaiter()
        child.terminationHandler = { _ in exited.signal() }
        try child.run()

        // Let it acknowledge a few thousand writes, then kill it mid-stream.
        try await waitUntil(timeout: .seconds(60)) { acknowledged.elements.count >= 3_000 || !child.isRunning }
        #expect(child.isRunning, "the child stopped before it was killed")
        kill(child.processIdentifier, SIGKILL)
        await exited.wait()
        #expect(child.terminationReason == .uncaughtSignal)
        try? await Task.sleep(for: .milliseconds(50))  // let the last output drain
        output.fileHandleForReading.readabilityHandler = nil
        let acked = Set(acknowledged.elements)

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

/// Resumes a waiter once the child process has exited (Foundation calls the termination
/// handler on its own thread).
private final class ExitWaiter: Sendable {
    private let state = Mutex<(exited: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

    func signal() {
        let waiter = self.state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.exited = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let exited = self.state.withLock { state -> Bool in
                if state.exited { return true }
                state.waiter = continuation
                return false
            }
            if exited { continuation.resume() }
        }
    }
}
