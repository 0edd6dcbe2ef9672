// slipway — Store
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import Jobs
import SQLite

/// Lists, pipelines and the event log. Reads run on the reader threads (WAL snapshots, never
/// waiting for the writer); writes go through the group-commit writer like every other.
extension SQLiteJobStore: JobCatalog {
    public func jobs(matching query: JobQuery) async throws -> [Job] {
        let (whereClause, bindings) = Self.filter(query)
        let sql = "SELECT * FROM jobs\(whereClause) ORDER BY id DESC LIMIT ?"
        return try await self.database.read { connection in
            try connection.query(sql, bindings.map(\.value)).map(JobRow.decode)
        }
    }

    /// A scan of the table: run once at start-up (see `SlipwayApplication`), not per request.
    public func pipelineJobs(changedSince time: Date) async throws -> [Job] {
        let since = JSONRow.milliseconds(time)
        return try await self.database.read { connection in
            try connection.query(
                "SELECT * FROM jobs WHERE pipeline_id IS NOT NULL"
                    + " AND max(created_at_ms, coalesce(started_at_ms, 0), coalesce(finished_at_ms, 0)) >= ? ORDER BY id",
                [since]
            ).map(JobRow.decode)
        }
    }

    /// The `WHERE` clause (empty, or starting with a space) and its bindings for `query`'s
    /// filters and cursor, followed by the binding of its limit.
    static func filter(_ query: JobQuery) -> (whereClause: String, bindings: [SQLiteBinding]) {
        var conditions: [String] = []
        var bindings: [SQLiteBinding] = []
        if !query.statuses.isEmpty {
            let names = query.statuses.map(\.rawValue).sorted()
            conditions.append("status IN (\(Array(repeating: "?", count: names.count).joined(separator: ", ")))")
            bindings.append(contentsOf: names.map { SQLiteBinding($0) })
        }
        if let worker = query.worker { conditions.append("worker = ?"); bindings.append(SQLiteBinding(worker.rawValue)) }
        if let project = query.project { conditions.append("project = ?"); bindings.append(SQLiteBinding(project)) }
        if let ref = query.ref { conditions.append("ref = ?"); bindings.append(SQLiteBinding(ref)) }
        if let pipelineID = query.pipelineID { conditions.append("pipeline_id = ?"); bindings.append(SQLiteBinding(pipelineID)) }
        if let after = query.createdAfter { conditions.append("created_at_ms >= ?"); bindings.append(SQLiteBinding(JSONRow.milliseconds(after))) }
        if let before = query.createdBefore { conditions.append("created_at_ms < ?"); bindings.append(SQLiteBinding(JSONRow.milliseconds(before))) }
        if let beforeID = query.beforeID { conditions.append("id < ?"); bindings.append(SQLiteBinding(beforeID.rawValue)) }
        bindings.append(SQLiteBinding(max(0, query.limit)))
        return (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "), bindings)
    }

    public func insertRetry(of original: Job, at time: Date) async throws -> Job {
        let inserted = try await self.insert(original.specification, status: .pending, at: time)
        // A second write rather than a wider insert keeps `insert` the scheduler's own; both
        // commit before the caller is answered.
        try await self.database.write { connection in
            try connection.execute("UPDATE jobs SET retry_of = ? WHERE id = ?", [original.id.rawValue, inserted.id.rawValue])
        }
        var job = inserted
        job.retryOf = original.id
        return job
    }

    public func insertPipeline(project: String, ref: String, sha: String?, source: String, at time: Date) async throws -> Pipeline {
        let createdAt = JSONRow.milliseconds(time)
        let id = try await self.database.write { connection -> Int64 in
            try connection.execute(
                "INSERT INTO pipelines (project, ref, sha, source, created_at_ms) VALUES (?, ?, ?, ?, ?)",
                [project, ref, sha, source, createdAt]
            )
            return connection.lastInsertRowID
        }
        return Pipeline(id: id, project: project, ref: ref, sha: sha, source: source, createdAt: JSONRow.date(createdAt))
    }

    public func pipeline(_ id: Int64) async throws -> Pipeline? {
        try await self.database.read { connection in
            try connection.first("SELECT * FROM pipelines WHERE id = ?", [id]).map(PipelineRow.decode)
        }
    }

    public func pipelines(matching query: PipelineQuery) async throws -> [Pipeline] {
        var conditions: [String] = []
        var bindings: [SQLiteBinding] = []
        if let project = query.project { conditions.append("project = ?"); bindings.append(SQLiteBinding(project)) }
        if let ref = query.ref { conditions.append("ref = ?"); bindings.append(SQLiteBinding(ref)) }
        if let beforeID = query.beforeID { conditions.append("id < ?"); bindings.append(SQLiteBinding(beforeID)) }
        bindings.append(SQLiteBinding(max(0, query.limit)))
        let whereClause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let sql = "SELECT * FROM pipelines\(whereClause) ORDER BY id DESC LIMIT ?"
        let frozen = bindings
        return try await self.database.read { connection in
            try connection.query(sql, frozen.map(\.value)).map(PipelineRow.decode)
        }
    }

    public func jobs(inPipelines pipelineIDs: [Int64]) async throws -> [Int64: [Job]] {
        guard !pipelineIDs.isEmpty else { return [:] }
        let placeholders = Array(repeating: "?", count: pipelineIDs.count).joined(separator: ", ")
        let ids = pipelineIDs
        return try await self.database.read { connection in
            var result: [Int64: [Job]] = [:]
            for row in try connection.query("SELECT * FROM jobs WHERE pipeline_id IN (\(placeholders)) ORDER BY id", ids.map { $0 }) {
                let job = try JobRow.decode(row)
                if let pipelineID = job.specification.pipelineID { result[pipelineID, default: []].append(job) }
            }
            return result
        }
    }

    public func jobCounts() async throws -> [JobStatus: Int] {
        try await self.database.read { connection in
            var counts: [JobStatus: Int] = [:]
            for row in try connection.query("SELECT status, count(*) FROM jobs GROUP BY status") {
                if let status = row.string(at: 0).flatMap(JobStatus.init(rawValue:)) { counts[status] = row.int(at: 1) ?? 0 }
            }
            return counts
        }
    }

    public func appendChanges(_ changes: [StateChange]) async throws -> [StateChange] {
        guard !changes.isEmpty else { return [] }
        return try await self.database.write { connection in
            var recorded = changes
            for index in recorded.indices {
                let change = recorded[index]
                try connection.execute(
                    """
                    INSERT INTO events (subject, job_id, pipeline_id, status, worker, project, ref, created_at_ms, data)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        change.subject.rawValue, change.jobID?.rawValue, change.pipelineID, change.status, change.worker?.rawValue,
                        change.project, change.ref, JSONRow.milliseconds(change.time), change.data,
                    ]
                )
                recorded[index].id = connection.lastInsertRowID
            }
            return recorded
        }
    }

    public func changes(after id: Int64, limit: Int) async throws -> [StateChange] {
        try await self.database.read { connection in
            try connection.query("SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?", [id, limit]).map(EventRow.decode)
        }
    }

    public func pruneChanges(before time: Date) async throws -> Int {
        let cutoff = JSONRow.milliseconds(time)
        return try await self.database.write { connection in
            // Always keep the newest event, so ids never restart below what subscribers saw
            // (AUTOINCREMENT already guarantees that; this keeps the "latest id" queryable).
            try connection.execute(
                "DELETE FROM events WHERE created_at_ms < ? AND id < (SELECT coalesce(max(id), 0) FROM events)", [cutoff]
            )
            return connection.changes
        }
    }

    /// The newest recorded change's id (0 when there is none).
    public func latestChangeID() async throws -> Int64 {
        try await self.database.read { connection in
            try connection.first("SELECT coalesce(max(id), 0) FROM events")?.int64(at: 0) ?? 0
        }
    }
}

/// A binding value that can cross to a database thread (`any SQLiteValueConvertible` is not
/// `Sendable`; the values we bind are).
struct SQLiteBinding: @unchecked Sendable {
    // @unchecked: built only from String, Int64 and Int, which are Sendable values.
    let value: (any SQLiteValueConvertible)?
    init(_ value: (any SQLiteValueConvertible)?) { self.value = value }
}

/// Reads a `pipelines` row.
enum PipelineRow {
    static func decode(_ row: SQLiteRow) throws -> Pipeline {
        guard let id = row.int64(named: "id"), let project = row.string(named: "project"), let ref = row.string(named: "ref"),
              let source = row.string(named: "source"), let createdAt = row.int64(named: "created_at_ms")
        else { throw StoreError(.corruptRow, "pipeline row \(row.int64(named: "id") ?? -1) has missing values") }
        var pipeline = Pipeline(id: id, project: project, ref: ref, sha: row.string(named: "sha"), source: source, createdAt: JSONRow.date(createdAt))
        pipeline.settledStatus = row.string(named: "settled_status").flatMap(PipelineStatus.init(rawValue:))
        pipeline.failureReason = row.string(named: "failure_reason").flatMap(FailureReason.init(rawValue:))
        pipeline.failureMessage = row.string(named: "failure_message")
        pipeline.autoCanceledBy = row.int64(named: "auto_canceled_by")
        if let allowed = row.string(named: "allowed_failures") {
            pipeline.allowedFailures = Set(try JSONRow.decode([Int64].self, allowed).map { JobID(rawValue: $0) })
        }
        return pipeline
    }
}

/// Reads an `events` row.
enum EventRow {
    static func decode(_ row: SQLiteRow) throws -> StateChange {
        guard let id = row.int64(named: "id"), let subjectText = row.string(named: "subject"),
              let subject = StateChange.Subject(rawValue: subjectText), let status = row.string(named: "status"),
              let createdAt = row.int64(named: "created_at_ms"), let data = row.string(named: "data")
        else { throw StoreError(.corruptRow, "event row \(row.int64(named: "id") ?? -1) has missing values") }
        return StateChange(
            id: id, subject: subject, jobID: row.int64(named: "job_id").map { JobID(rawValue: $0) }, pipelineID: row.int64(named: "pipeline_id"),
            status: status, worker: row.string(named: "worker").flatMap(WorkerKind.init(rawValue:)), project: row.string(named: "project"),
            ref: row.string(named: "ref"), time: JSONRow.date(createdAt), data: data
        )
    }
}
