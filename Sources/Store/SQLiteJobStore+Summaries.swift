// slipway — Store
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import Jobs
import SQLite

/// What the API shows of jobs, read column by column from the statement: no `SELECT *`, no
/// row copy, and no parsing of the script and variables JSON that no response contains.
extension SQLiteJobStore {
    public func jobSummaries(matching query: JobQuery) async throws -> [JobSummary] {
        let (sql, bindings) = Self.summaryStatement(query)
        return try await self.database.read { connection in
            try Self.jobSummaries(sql, bindings, limit: query.limit, on: connection)
        }
    }

    @available(*, noasync, message: "blocks the calling thread; an event loop may call it, async code uses jobSummaries(matching:)")
    public func jobSummariesNow(matching query: JobQuery) throws -> [JobSummary]? {
        let (sql, bindings) = Self.summaryStatement(query)
        return try self.database.readNow(stepLimit: Self.quickListSteps) { connection in
            try Self.jobSummaries(sql, bindings, limit: query.limit, on: connection)
        }
    }

    /// The most SQLite instructions ``jobSummariesNow(matching:)`` lets a list run: a page of
    /// 100 rows through an index takes about 2,000, and a filter that skips rows 3 more per row
    /// skipped, so the limit stops a list after a few thousand skipped rows, a fraction of a
    /// millisecond.
    static let quickListSteps: Int32 = 10_000

    private static func jobSummaries(_ sql: String, _ bindings: [SQLiteBinding], limit: Int, on connection: SQLiteConnection) throws -> [JobSummary] {
        let statement = try connection.cachedStatement(sql)
        try statement.bind(bindings.map(\.value))
        defer { statement.reset() }
        var summaries: [JobSummary] = []
        summaries.reserveCapacity(min(max(0, limit), 1000))
        while try statement.step() { summaries.append(try JobSummaryRow.decode(statement)) }
        return summaries
    }

    /// The statement behind ``jobSummaries(matching:)``. The same few filter shapes repeat, so
    /// the statement cache keyed by this text keeps each one prepared per reader connection.
    static func summaryStatement(_ query: JobQuery) -> (sql: String, bindings: [SQLiteBinding]) {
        let (whereClause, bindings) = Self.filter(query)
        return ("SELECT \(JobSummaryRow.columns) FROM jobs\(whereClause) ORDER BY id DESC LIMIT ?", bindings)
    }

    public func jobSummary(_ id: JobID) async throws -> JobSummary? {
        try await self.database.read { connection in try Self.jobSummary(id, on: connection) }
    }

    /// Reads on the calling thread with a connection of its own: WAL readers never wait for
    /// the writer, so this costs the lookup itself (microseconds on a warm page cache).
    @available(*, noasync, message: "blocks the calling thread; an event loop may call it, async code uses jobSummary(_:)")
    public func jobSummaryNow(_ id: JobID) throws -> JobSummary? {
        try self.database.readNow { connection in try Self.jobSummary(id, on: connection) }
    }

    /// Made once: the statement cache compares it with the text it ran last.
    private static let summaryByID = "SELECT \(JobSummaryRow.columns) FROM jobs WHERE id = ?"

    private static func jobSummary(_ id: JobID, on connection: SQLiteConnection) throws -> JobSummary? {
        let statement = try connection.cachedStatement(Self.summaryByID)
        try statement.bind(id.rawValue, at: 1)
        defer { statement.reset() }
        return try statement.step() ? try JobSummaryRow.decode(statement) : nil
    }
}

/// Reads a ``JobSummary`` from the current row of a statement selecting ``columns``.
enum JobSummaryRow {
    static let columns = "id, name, image, worker, timeout_ms, project, pipeline_id, stage, ref, status, failure_reason, exit_code, "
        + "created_at_ms, started_at_ms, finished_at_ms, retry_of"

    /// The job list reads 16 columns of up to 100 rows per request, so this asks SQLite for each
    /// value once: text columns without a type check first, `NOT NULL` integers without a NULL
    /// check.
    static func decode(_ row: SQLiteStatement) throws -> JobSummary {
        guard let name = row.text(at: 1), let image = row.text(at: 2),
              let workerText = row.text(at: 3), let worker = WorkerKind(rawValue: workerText),
              let statusText = row.text(at: 9), let status = JobStatus(rawValue: statusText)
        else {
            throw StoreError(.corruptRow, "job row \(row.integer(notNullAt: 0)) has missing or unknown values")
        }
        return JobSummary(
            id: JobID(row.integer(notNullAt: 0)), name: name, image: image, worker: worker, timeout: .milliseconds(row.integer(notNullAt: 4)),
            project: row.text(at: 5), pipelineID: row.int64(at: 6), stage: row.text(at: 7), ref: row.text(at: 8),
            status: status, failureReason: row.text(at: 10).flatMap(FailureReason.init(rawValue:)),
            exitCode: row.int64(at: 11).map { Int32(truncatingIfNeeded: $0) },
            createdAt: JSONRow.date(row.integer(notNullAt: 12)), startedAt: row.int64(at: 13).map(JSONRow.date),
            finishedAt: row.int64(at: 14).map(JSONRow.date), retryOf: row.int64(at: 15).map { JobID(rawValue: $0) }
        )
    }
}
