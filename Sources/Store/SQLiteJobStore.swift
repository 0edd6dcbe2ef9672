// slipway — Store
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import Jobs
import SQLite

/// ``JobStore`` on SQLite: WAL, `synchronous=FULL`, and every write through the database's
/// group-commit writer, so an acknowledged job has been fsynced — and many submissions share
/// one fsync.
public final class SQLiteJobStore: JobStore {
    public let database: SQLiteDatabase

    /// Opens (creating and migrating) the database at `path`.
    public static func open(path: String) async throws -> SQLiteJobStore {
        var configuration = SQLiteDatabase.Configuration()
        configuration.migrator = StoreSchema.migrator
        return SQLiteJobStore(database: try await SQLiteDatabase(path: path, configuration: configuration))
    }

    init(database: SQLiteDatabase) {
        self.database = database
    }

    public func close() async {
        await self.database.close()
    }

    // MARK: - JobStore

    public func insert(_ specification: JobSpecification, status: JobStatus, at time: Date) async throws -> Job {
        let script = try JSONRow.encode(specification.script)
        let variables = try JSONRow.encode(specification.variables)
        let createdAt = JSONRow.milliseconds(time)
        let id = try await self.database.write { connection -> Int64 in
            try connection.execute(
                """
                INSERT INTO jobs (name, image, script, variables, worker, timeout_ms, project, pipeline_id, stage, ref, status, created_at_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    specification.name, specification.image, script, variables, specification.worker.rawValue,
                    Int64(specification.timeout.components.seconds * 1000 + specification.timeout.components.attoseconds / 1_000_000_000_000_000),
                    specification.project, specification.pipelineID, specification.stage, specification.ref, status.rawValue, createdAt,
                ]
            )
            return connection.lastInsertRowID
        }
        return Job(id: JobID(id), specification: specification, status: status, createdAt: JSONRow.date(createdAt))
    }

    public func job(_ id: JobID) async throws -> Job? {
        try await self.database.read { connection in
            try connection.first("SELECT * FROM jobs WHERE id = ?", [id.rawValue]).map(JobRow.decode)
        }
    }

    public func apply(_ event: JobEvent, to id: JobID, at time: Date) async throws -> Job {
        try await self.database.write { connection in
            guard let row = try connection.first("SELECT * FROM jobs WHERE id = ?", [id.rawValue]) else {
                throw StoreError(.notFound, "no job \(id)")
            }
            var job = try JobRow.decode(row)
            try job.apply(event, at: time).get()
            try connection.execute(
                "UPDATE jobs SET status = ?, failure_reason = ?, exit_code = ?, started_at_ms = ?, finished_at_ms = ? WHERE id = ?",
                [
                    job.status.rawValue, job.failureReason?.rawValue, job.exitCode.map { Int64($0) },
                    job.startedAt.map(JSONRow.milliseconds), job.finishedAt.map(JSONRow.milliseconds), id.rawValue,
                ]
            )
            return job
        }
    }

    public func setContainer(_ containerID: String?, for id: JobID) async throws {
        try await self.database.write { connection in
            try connection.execute("UPDATE jobs SET container_id = ? WHERE id = ?", [containerID, id.rawValue])
        }
    }

    public func jobs(withStatus statuses: Set<JobStatus>) async throws -> [Job] {
        let names = statuses.map(\.rawValue).sorted()
        let placeholders = Array(repeating: "?", count: names.count).joined(separator: ", ")
        return try await self.database.read { connection in
            try connection.query("SELECT * FROM jobs WHERE status IN (\(placeholders)) ORDER BY id", names.map { $0 }).map(JobRow.decode)
        }
    }

    /// How many jobs the store holds (benchmarks check acknowledged ≤ stored).
    public func count() async throws -> Int {
        try await self.database.read { connection in
            try connection.first("SELECT count(*) FROM jobs")?.int(at: 0) ?? 0
        }
    }
}

/// Conversions between stored columns and domain values.
enum JSONRow {
    static func encode(_ value: some Encodable) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }

    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    static func date(_ milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}

/// Reads a `jobs` row.
enum JobRow {
    static func decode(_ row: SQLiteRow) throws -> Job {
        guard let id = row.int64(named: "id"), let name = row.string(named: "name"), let image = row.string(named: "image"),
              let scriptText = row.string(named: "script"), let variablesText = row.string(named: "variables"),
              let workerText = row.string(named: "worker"), let worker = WorkerKind(rawValue: workerText),
              let timeout = row.int64(named: "timeout_ms"), let statusText = row.string(named: "status"),
              let status = JobStatus(rawValue: statusText), let createdAt = row.int64(named: "created_at_ms")
        else {
            throw StoreError(.corruptRow, "job row \(row.int64(named: "id") ?? -1) has missing or unknown values")
        }
        let specification = JobSpecification(
            name: name, image: image, script: try JSONRow.decode([String].self, scriptText),
            variables: try JSONRow.decode([String: String].self, variablesText), worker: worker,
            timeout: .milliseconds(timeout), project: row.string(named: "project"), pipelineID: row.int64(named: "pipeline_id"),
            stage: row.string(named: "stage"), ref: row.string(named: "ref")
        )
        return Job(
            id: JobID(id), specification: specification, status: status,
            failureReason: row.string(named: "failure_reason").flatMap(FailureReason.init(rawValue:)),
            exitCode: row.int64(named: "exit_code").map { Int32(truncatingIfNeeded: $0) },
            createdAt: JSONRow.date(createdAt),
            startedAt: row.int64(named: "started_at_ms").map(JSONRow.date),
            finishedAt: row.int64(named: "finished_at_ms").map(JSONRow.date),
            containerID: row.string(named: "container_id"),
            retryOf: row.int64(named: "retry_of").map { JobID(rawValue: $0) }
        )
    }
}
