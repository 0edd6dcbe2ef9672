// slipway — Store tests
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Jobs
@testable import Store
import Testing
import Threads

/// The lean reads behind `GET /v1/jobs` and `GET /v1/jobs/{id}` must agree with the full ones.
@Suite("job summaries")
struct JobSummaryReadingTests {
    @Test func summariesMatchTheFullJobs() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try await SQLiteJobStore.open(path: "\(directory)/slipway.db")
        let start = Date(timeIntervalSince1970: 1_800_000_000.123)
        var ids: [JobID] = []
        for index in 0..<6 {
            var specification = SQLiteJobStoreTests.specification
            specification.name = "job \(index)"
            if index.isMultiple(of: 2) { specification.project = nil; specification.pipelineID = nil; specification.stage = nil; specification.ref = nil }
            ids.append(try await store.insert(specification, status: .pending, at: start.addingTimeInterval(Double(index))).id)
        }
        _ = try await store.apply(.start, to: ids[1], at: start.addingTimeInterval(10))
        _ = try await store.apply(.start, to: ids[3], at: start.addingTimeInterval(11))
        _ = try await store.apply(.fail(.scriptFailure, exitCode: 3), to: ids[3], at: start.addingTimeInterval(12))
        let retry = try await store.insertRetry(of: try #require(try await store.job(ids[3])), at: start.addingTimeInterval(13))

        var query = JobQuery()
        query.limit = 100
        #expect(try await store.jobSummaries(matching: query) == (try await store.jobs(matching: query)).map(JobSummary.init))
        query.statuses = [.running, .failed]
        query.beforeID = retry.id
        query.limit = 1
        #expect(try await store.jobSummaries(matching: query) == [JobSummary(try #require(try await store.job(ids[3])))])
        for id in ids + [retry.id] {
            let full = try #require(try await store.job(id))
            #expect(try await store.jobSummary(id) == JobSummary(full))
            #expect(try await onOwnThread { try store.jobSummaryNow(id) } == JobSummary(full))
        }
        #expect(try await store.jobSummary(JobID(999)) == nil)
        #expect(try await onOwnThread { try store.jobSummaryNow(JobID(999)) } == nil)
        await store.close()
    }

    /// An event loop answers a list at once only while SQLite reads little more than the page:
    /// a filter that no index serves scans rows, and the list is left to a reader thread.
    @Test func listingNowGivesUpOnScans() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try await SQLiteJobStore.open(path: "\(directory)/slipway.db")
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        var rare = SQLiteJobStoreTests.specification
        rare.ref = "rare"
        let oldest = try await store.insert(rare, status: .running, at: start)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<6_000 {
                group.addTask { _ = try await store.insert(SQLiteJobStoreTests.specification, status: .success, at: start.addingTimeInterval(Double(index + 1))) }
            }
            try await group.waitForAll()
        }
        var scanning = JobQuery()
        scanning.ref = "rare"
        scanning.limit = 21
        var indexed = JobQuery()
        indexed.statuses = [.running]
        indexed.limit = 21
        let (now, indexedNow) = try await onOwnThread { [scanning, indexed] in (try store.jobSummariesNow(matching: scanning), try store.jobSummariesNow(matching: indexed)) }
        #expect(now == nil, "6,000 rows skipped on an event loop")
        #expect(try await store.jobSummaries(matching: scanning).map(\.id) == [oldest.id])
        #expect(indexedNow?.map(\.id) == [oldest.id])
        await store.close()
    }

    /// The status filter reads from the covering index alone: no table lookup per row (the
    /// list's largest SQLite cost before the index existed).
    @Test(arguments: [[JobStatus.running], [.pending, .running]])
    func listingByStatusReadsOnlyTheCoveringIndex(statuses: [JobStatus]) async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try await SQLiteJobStore.open(path: "\(directory)/slipway.db")
        var query = JobQuery()
        query.statuses = Set(statuses)
        query.limit = 51
        let (sql, bindings) = SQLiteJobStore.summaryStatement(query)
        let plan = try await store.database.read { connection in
            try connection.query("EXPLAIN QUERY PLAN " + sql, bindings.map(\.value)).compactMap { $0.values.last?.stringValue }
        }
        #expect(plan.contains { $0.contains("USING COVERING INDEX jobs_by_status_summary") }, "plan: \(plan)")
        await store.close()
    }
}

/// Runs `body` on a thread of its own, as an event loop would call the store.
private func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await NamedThread.run(name: "test-own-thread", body)
}
