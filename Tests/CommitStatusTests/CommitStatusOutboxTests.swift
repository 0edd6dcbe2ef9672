// slipway — commit status tests
// SPDX-License-Identifier: Apache-2.0

import CommitStatus
import Foundation
import Store
import Testing

/// A fresh directory under /tmp for one test.
func temporaryDirectory() throws -> String {
    let path = "/tmp/slipway-status-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// The SQLite outbox on its own: stream order, repeats, learnt pipelines, durability.
@Suite struct CommitStatusOutboxTests {
    static func target(_ name: String, sha: String = CommitStatusUnitTests.sha) -> CommitStatusTarget {
        CommitStatusTarget(gitlabURL: "https://gitlab.example.com", projectID: "42", sha: sha, ref: "main", name: name)
    }

    @Test func onlyTheOldestWaitingEntryOfAStreamIsDue() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try await SQLiteJobStore.open(path: "\(directory)/slipway.db")
        let outbox = SQLiteCommitStatusOutbox(store: store)
        let now = Date()
        let a1 = try #require(try await outbox.enqueue(CommitStatusUpdate(target: Self.target("a"), state: .pending), at: now))
        let a2 = try #require(try await outbox.enqueue(CommitStatusUpdate(target: Self.target("a"), state: .running), at: now))
        let b1 = try #require(try await outbox.enqueue(CommitStatusUpdate(target: Self.target("b"), state: .pending), at: now))
        #expect(try await outbox.due(at: now, limit: 10).map(\.id) == [a1.id, b1.id])

        // a1 failed and waits for its retry: a2 must wait behind it, though it is "due".
        try await outbox.markFailed(a1.id, error: "GitLab answered 502", nextAttempt: now.addingTimeInterval(60))
        #expect(try await outbox.due(at: now, limit: 10).map(\.id) == [b1.id])
        #expect(try await outbox.nextAttemptTime().map { abs($0.timeIntervalSince(now)) < 0.01 } == true)
        try await outbox.markDelivered(b1.id, outcome: .delivered, pipelineID: nil, at: now)
        let next = try #require(try await outbox.nextAttemptTime())
        #expect(abs(next.timeIntervalSince(now.addingTimeInterval(60))) < 0.01)
        #expect(try await outbox.due(at: now.addingTimeInterval(61), limit: 10).map(\.id) == [a1.id])

        try await outbox.markGivenUp(a1.id, reason: "too old", attempted: false, at: now)
        #expect(try await outbox.due(at: now, limit: 10).map(\.id) == [a2.id])
        let entries = try await outbox.entries(for: Self.target("a"))
        #expect(entries.map(\.outcome) == [.gaveUp, .waiting])
        #expect(entries[0].attempts == 1 && entries[0].lastError == "too old")
        await store.close()
    }

    @Test func aRepeatedStateIsNotQueuedTwice() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try await SQLiteJobStore.open(path: "\(directory)/slipway.db")
        let outbox = SQLiteCommitStatusOutbox(store: store)
        #expect(try await outbox.enqueue(CommitStatusUpdate(target: Self.target("a"), state: .pending), at: Date()) != nil)
        #expect(try await outbox.enqueue(CommitStatusUpdate(target: Self.target("a"), state: .pending), at: Date()) == nil)
        #expect(try await outbox.enqueue(CommitStatusUpdate(target: Self.target("a"), state: .running), at: Date()) != nil)
        #expect(try await outbox.enqueue(CommitStatusUpdate(target: Self.target("a"), state: .pending), at: Date()) != nil, "requeued")
        await store.close()
    }

    @Test func laterStatusesOfTheCommitLearnGitLabsPipeline() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try await SQLiteJobStore.open(path: "\(directory)/slipway.db")
        let outbox = SQLiteCommitStatusOutbox(store: store)
        let a = try #require(try await outbox.enqueue(CommitStatusUpdate(target: Self.target("a"), state: .pending), at: Date()))
        let waiting = try #require(try await outbox.enqueue(CommitStatusUpdate(target: Self.target("b"), state: .pending), at: Date()))
        try await outbox.markDelivered(a.id, outcome: .delivered, pipelineID: 4242, at: Date())
        #expect(try await outbox.entries(for: Self.target("b")).first?.learnedPipelineID == 4242)
        let later = try #require(try await outbox.enqueue(CommitStatusUpdate(target: Self.target("c"), state: .pending), at: Date()))
        #expect(later.learnedPipelineID == 4242)
        let otherCommit = try #require(try await outbox.enqueue(CommitStatusUpdate(target: Self.target("c", sha: "abcdef1"), state: .pending), at: Date()))
        #expect(otherCommit.learnedPipelineID == nil)
        _ = waiting
        await store.close()
    }

    @Test func entriesSurviveClosingTheStore() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var store = try await SQLiteJobStore.open(path: "\(directory)/slipway.db")
        let update = CommitStatusUpdate(target: Self.target("a"), state: .running, description: "running on slipway", targetURL: "https://s/v1/jobs/3")
        let entry = try #require(try await SQLiteCommitStatusOutbox(store: store).enqueue(update, at: Date()))
        await store.close()
        store = try await SQLiteJobStore.open(path: "\(directory)/slipway.db")
        let due = try await SQLiteCommitStatusOutbox(store: store).due(at: Date(), limit: 10)
        #expect(due.map(\.id) == [entry.id])
        #expect(due.first?.update == update)
        await store.close()
    }
}
