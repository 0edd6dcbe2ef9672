// slipway — SQLite tests
// SPDX-License-Identifier: Apache-2.0

import Foundation
import SQLite
import Testing

/// Measurements for the report, not assertions with tight bounds: the numbers depend on the
/// disk's fsync latency and on what else runs. For clean numbers run this suite alone:
/// `swift test -c release --filter SQLiteThroughputTests`.
@Suite("Throughput", .serialized)
struct SQLiteThroughputTests {
    @Test("20,000 single-row writes from 64 concurrent tasks")
    func concurrentWrites() async throws {
        let directory = try TemporaryDirectory()
        let database = try await openItemsDatabase(directory)
        let total = 20_000
        let tasks = 64
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<tasks {
                group.addTask {
                    // Each task writes one row at a time and waits for its commit: 64 writers in flight.
                    for index in stride(from: task, to: total, by: tasks) {
                        try await database.write { db in
                            try db.execute("INSERT INTO items VALUES (?, ?)", [index, "payload \(index)"])
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = ContinuousClock.now - started
        let statistics = database.statistics
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(
            "throughput: \(total) writes from \(tasks) tasks in \(elapsed): \(Int(Double(total) / seconds)) writes/s, "
                + "\(statistics.commits) commits "
                + "(\(String(format: "%.1f", Double(statistics.writes) / Double(statistics.commits))) writes/commit), "
                + "\(statistics)")
        let count = try await database.read { db in try db.first("SELECT count(*) FROM items")!.int(at: 0)! }
        #expect(count == total)
        #expect(statistics.commits < total / 4)
        await database.close()
    }

    @Test("baseline: 1,000 writes one after another, one commit each")
    func sequentialWrites() async throws {
        let directory = try TemporaryDirectory()
        let database = try await openItemsDatabase(directory)
        let total = 1_000
        let started = ContinuousClock.now
        for index in 0..<total {
            try await database.write { db in try db.execute("INSERT INTO items VALUES (?, ?)", [index, "payload"]) }
        }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let statistics = database.statistics
        print("baseline: \(total) sequential writes in \(elapsed): \(Int(Double(total) / seconds)) writes/s, \(statistics)")
        #expect(statistics.commits == total)
        await database.close()
    }
}
