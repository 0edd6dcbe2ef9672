// slipway — Store tests
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Jobs
@testable import Store
import Testing

/// A fresh directory under /tmp for one test.
func temporaryDirectory() throws -> String {
    let path = "/tmp/slipway-store-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

@Suite("SQLite job store")
struct SQLiteJobStoreTests {
    static let specification = JobSpecification(
        name: "build", image: "busybox", script: ["echo 'a'", "make"], variables: ["K": "v w", "EMPTY": ""],
        worker: .host, timeout: .seconds(90), project: "group/app", pipelineID: 7, stage: "test", ref: "main"
    )

    @Test func insertsAndReadsBackEveryField() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try await SQLiteJobStore.open(path: "\(directory)/slipway.db")
        let created = Date(timeIntervalSince1970: 1_800_000_000.123)
        let job = try await store.insert(Self.specification, status: .pending, at: created)
        let read = try #require(try await store.job(job.id))
        #expect(read == job)
        #expect(read.specification == Self.specification)
        #expect(abs(read.createdAt.timeIntervalSince1970 - 1_800_000_000.123) < 0.001)
        #expect(try await store.job(JobID(999)) == nil)
        await store.close()
    }

    @Test func appliesTransitionsAtomicallyAndRefusesIllegalOnes() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try await SQLiteJobStore.open(path: "\(directory)/slipway.db")
        let job = try await store.insert(Self.specification, status: .pending, at: Date())
        try await store.setContainer("abc123", for: job.id)
        let running = try await store.apply(.start, to: job.id, at: Date())
        #expect(running.status == .running)
        #expect(running.containerID == "abc123")
        let failed = try await store.apply(.fail(.scriptFailure, exitCode: 2), to: job.id, at: Date())
        #expect(failed.status == .failed && failed.exitCode == 2 && failed.failureReason == .scriptFailure && failed.finishedAt != nil)
        await #expect(throws: IllegalTransition.self) { _ = try await store.apply(.succeed, to: job.id, at: Date()) }
        #expect(try await store.job(job.id)?.status == .failed)
        await store.close()
    }

    @Test func survivesReopeningAndFindsJobsByStatus() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var store = try await SQLiteJobStore.open(path: "\(directory)/slipway.db")
        var ids: [JobID] = []
        for index in 0..<10 {
            var specification = Self.specification
            specification.name = "job \(index)"
            ids.append(try await store.insert(specification, status: .pending, at: Date()).id)
        }
        _ = try await store.apply(.start, to: ids[3], at: Date())
        await store.close()
        store = try await SQLiteJobStore.open(path: "\(directory)/slipway.db")
        #expect(try await store.jobs(withStatus: [.running]).map(\.id) == [ids[3]])
        #expect(try await store.jobs(withStatus: [.pending]).count == 9)
        #expect(try await store.count() == 10)
        await store.close()
    }

    @Test func manyConcurrentInsertsAllLand() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try await SQLiteJobStore.open(path: "\(directory)/slipway.db")
        let ids = try await withThrowingTaskGroup(of: JobID.self) { group in
            for _ in 0..<500 { group.addTask { try await store.insert(Self.specification, status: .pending, at: Date()).id } }
            return try await group.reduce(into: Set<JobID>()) { $0.insert($1) }
        }
        #expect(ids.count == 500)
        #expect(try await store.count() == 500)
        #expect(store.database.statistics.commits < 500)
        await store.close()
    }
}

@Suite("file logs")
struct FileLogStoreTests {
    @Test func appendsInOrderAndReadsFromOffsets() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let logs = try FileLogStore(directory: "\(directory)/logs", outputLimit: 1 << 20)
        let id = JobID(1)
        for index in 0..<100 { await logs.append(Array("line \(index)\n".utf8), to: id) }
        let all = try await logs.read(id, from: 0, maximum: 1 << 20)
        #expect(String(decoding: all.bytes, as: UTF8.self) == (0..<100).map { "line \($0)\n" }.joined())
        let tail = try await logs.read(id, from: all.nextOffset - 8, maximum: 100)
        #expect(String(decoding: tail.bytes, as: UTF8.self) == "line 99\n")
        #expect(try await logs.read(id, from: all.nextOffset, maximum: 100).bytes.isEmpty)
        #expect(try await logs.read(JobID(2), from: 0, maximum: 100).bytes.isEmpty)
    }

    /// The times index dates the log: an entry at the first append and wherever the wall
    /// clock's second changed between appends, each at the offset where that append began.
    @Test func recordsWhenTheLogWasWritten() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let logs = try FileLogStore(directory: "\(directory)/logs", outputLimit: 1 << 20)
        let id = JobID(4)
        let before = Int64(Date().timeIntervalSince1970 * 1000)
        await logs.append(Array("one\n".utf8), to: id)
        await logs.append(Array("two\n".utf8), to: id)
        // Wait for the next second by the clock the store uses.
        // The two appends may straddle a second; the next append waits for a later one.
        let written = try await logs.times(of: id)
        let lastSecond = (written.last?.unixMilliseconds ?? 0) / 1000
        let deadline = ContinuousClock.now + .seconds(5)
        while Int64(Date().timeIntervalSince1970) <= lastSecond, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        await logs.appendNote("three", to: id)
        let after = Int64(Date().timeIntervalSince1970 * 1000)
        let times = try await logs.times(of: id)
        #expect(times.first?.offset == 0 && times.last?.offset == 8 && Set(times.map(\.offset)).isSubset(of: [0, 4, 8]), "\(times)")
        #expect(times.allSatisfy { (before - 1...after + 1).contains($0.unixMilliseconds) })
        #expect(try await logs.times(of: JobID(99)).isEmpty)
        #expect(FileLogStore.parseTimes(Array("0 5\ngarbage\n12 7\n3".utf8)).map(\.offset) == [0, 12])
    }

    @Test func capsOutputWithOneTruncationLine() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let logs = try FileLogStore(directory: "\(directory)/logs", outputLimit: 1000)
        let id = JobID(5)
        for _ in 0..<100 { await logs.append([UInt8](repeating: UInt8(ascii: "x"), count: 99) + [10], to: id) }
        await logs.appendNote("the job failed: exit code 1", to: id)
        let text = String(decoding: try await logs.read(id, from: 0, maximum: 1 << 20).bytes, as: UTF8.self)
        #expect(text.hasPrefix(String(repeating: String(repeating: "x", count: 99) + "\n", count: 10)))
        #expect(text.components(separatedBy: "reached its limit of 1000 bytes (workers.output_limit)").count == 2)
        #expect(text.hasSuffix("[slipway] the job failed: exit code 1\n"))
        #expect(text.utf8.count < 1200)
    }

    /// What a resumed job skips of its container's replayed output: the output bytes, counted
    /// in this process or, after a restart, from the file without slipway's notes.
    @Test func countsOutputBytesInThisProcessAndAfterARestart() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let id = JobID(3)
        do {
            let logs = try FileLogStore(directory: "\(directory)/logs", outputLimit: 1 << 20)
            await logs.append(Array("$ echo one\none\n".utf8), to: id)
            await logs.appendNote("waiting for the Docker engine", to: id)
            await logs.append(Array("partial".utf8), to: id)
            #expect(await logs.outputBytes(of: id) == 22)
            await logs.appendNote("a note mid-line starts a line of its own", to: id)
            let text = String(decoding: try await logs.read(id, from: 0, maximum: 1 << 20).bytes, as: UTF8.self)
            #expect(text.hasSuffix("partial\n[slipway] a note mid-line starts a line of its own\n"))
        }
        let reopened = try FileLogStore(directory: "\(directory)/logs", outputLimit: 1 << 20)
        // The newline added before the mid-line note counts as output (documented as inexact).
        let counted = await reopened.outputBytes(of: id)
        #expect(counted == 23)
        await reopened.append(Array("more\n".utf8), to: id)
        #expect(await reopened.outputBytes(of: id) == 28)
    }

    @Test(arguments: [
        ("", 0),
        ("abc\n", 4),
        ("[slipway] note\n", 0),
        ("a\n[slipway] note\nb\n", 4),
        ("xx\n[slipway] the job log reached its limit of 3 bytes (workers.output_limit); further output is truncated\n", Int.max),
    ])
    func countsOutputOutsideNotes(_ log: String, _ expected: Int) {
        #expect(FileLogStore.countOutputBytes(in: Array(log.utf8)) == expected)
    }

    @Test func followersWakeOnAppendAndFinish() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let logs = try FileLogStore(directory: "\(directory)/logs", outputLimit: 1 << 20)
        let id = JobID(9)
        await logs.append(Array("start\n".utf8), to: id)
        let waiter = Task { () -> ContinuousClock.Duration in
            let started = ContinuousClock.now
            await logs.waitForAppend(to: id, after: 6, timeout: .seconds(300))
            return ContinuousClock.now - started
        }
        try await Task.sleep(for: .milliseconds(100))
        await logs.append(Array("more\n".utf8), to: id)
        #expect(await waiter.value < .seconds(120), "woken by the append, not by the 300 s timeout")
        let timedOut = ContinuousClock.now
        await logs.waitForAppend(to: id, after: 11, timeout: .milliseconds(200))
        #expect(ContinuousClock.now - timedOut >= .milliseconds(200))
        await logs.finish(id)
        #expect(logs.isFinished(id) == true)
        await logs.waitForAppend(to: id, after: 11, timeout: .seconds(10))
    }
}
