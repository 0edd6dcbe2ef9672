// slipway — Store
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import Jobs
import SQLite

/// Pipeline runs: the jobs of planned pipelines with their stage metadata, pipeline-level
/// outcomes, and the auto-cancel bookkeeping. Writes go through the group-commit writer.
extension SQLiteJobStore: PipelineStore {
    public func insertPipelineJobs(_ drafts: [PipelineJobDraft], into pipelineID: Int64, at time: Date) async throws -> [Job] {
        let createdAt = JSONRow.milliseconds(time)
        return try await self.database.write { connection -> [Job] in
            var jobs: [Job] = []
            var allowed: [Int64] = []
            for draft in drafts {
                // The id first, so the specification can name it (CI_JOB_ID in variables).
                try connection.execute(
                    """
                    INSERT INTO jobs (name, image, script, variables, worker, timeout_ms, status, created_at_ms, pipeline_id)
                    VALUES ('', '', '[]', '{}', 'host', 0, 'created', ?, ?)
                    """,
                    [createdAt, pipelineID]
                )
                let id = JobID(rawValue: connection.lastInsertRowID)
                var specification = draft.specification(id)
                specification.pipelineID = pipelineID
                try connection.execute(
                    """
                    UPDATE jobs SET name = ?, image = ?, script = ?, variables = ?, worker = ?, timeout_ms = ?, project = ?,
                                    stage = ?, ref = ? WHERE id = ?
                    """,
                    [
                        specification.name, specification.image, try JSONRow.encode(specification.script),
                        try JSONRow.encode(specification.variables), specification.worker.rawValue,
                        Int64(specification.timeout.components.seconds * 1000
                            + specification.timeout.components.attoseconds / 1_000_000_000_000_000),
                        specification.project, specification.stage, specification.ref, id.rawValue,
                    ]
                )
                try connection.execute(
                    "INSERT INTO pipeline_jobs (job_id, pipeline_id, stage_index, run_when, allow_failure, interruptible) VALUES (?, ?, ?, ?, ?, ?)",
                    [id.rawValue, pipelineID, Int64(draft.stageIndex), draft.when.rawValue, draft.allowFailure ? 1 : 0, draft.interruptible ? 1 : 0]
                )
                if draft.allowFailure { allowed.append(id.rawValue) }
                jobs.append(Job(id: id, specification: specification, status: .created, createdAt: JSONRow.date(createdAt)))
            }
            try connection.execute(
                "UPDATE pipelines SET intake = 'planned', allowed_failures = ? WHERE id = ?",
                [allowed.isEmpty ? nil : try JSONRow.encode(allowed), pipelineID]
            )
            return jobs
        }
    }

    public func stagedJobs(of pipelineID: Int64) async throws -> [StagedJob] {
        try await self.database.read { connection in
            try connection.query(
                """
                SELECT p.job_id, p.stage_index, p.run_when, p.allow_failure, p.interruptible, j.status
                FROM pipeline_jobs p JOIN jobs j ON j.id = p.job_id
                WHERE p.pipeline_id = ? ORDER BY p.stage_index, p.job_id
                """,
                [pipelineID]
            ).map { row in
                guard let id = row.int64(at: 0), let stage = row.int(at: 1), let when = row.string(at: 2).flatMap(StagedJob.When.init(rawValue:)),
                      let status = row.string(at: 5).flatMap(JobStatus.init(rawValue:))
                else { throw StoreError(.corruptRow, "pipeline job row of pipeline \(pipelineID) has missing or unknown values") }
                return StagedJob(id: JobID(rawValue: id), stageIndex: stage, when: when, allowFailure: row.int64(at: 3) == 1,
                                 interruptible: row.int64(at: 4) == 1, status: status)
            }
        }
    }

    public func settlePipeline(_ pipelineID: Int64, status: PipelineStatus, reason: FailureReason?, message: String) async throws {
        try await self.database.write { connection in
            try connection.execute(
                "UPDATE pipelines SET intake = 'planned', settled_status = ?, failure_reason = ?, failure_message = ? WHERE id = ?",
                [status.rawValue, reason?.rawValue, message, pipelineID]
            )
        }
    }

    public func markAutoCanceled(_ pipelineID: Int64, by newer: Int64) async throws {
        try await self.database.write { connection in
            try connection.execute("UPDATE pipelines SET auto_canceled_by = ? WHERE id = ?", [newer, pipelineID])
        }
    }

    public func unfinishedPipelines(project: String, ref: String, before pipelineID: Int64) async throws -> [Int64] {
        try await self.database.read { connection in
            try connection.query(
                """
                SELECT p.id FROM pipelines p
                WHERE p.project = ? AND p.ref = ? AND p.id < ? AND p.intake = 'planned'
                  AND EXISTS (SELECT 1 FROM jobs j WHERE j.pipeline_id = p.id AND j.status IN ('created', 'pending', 'running'))
                ORDER BY p.id DESC LIMIT 100
                """,
                [project, ref, pipelineID]
            ).compactMap { $0.int64(at: 0) }
        }
    }

    public func pipelinesWithCreatedJobs() async throws -> [Int64] {
        try await self.database.read { connection in
            try connection.query("SELECT DISTINCT pipeline_id FROM jobs WHERE status = 'created' AND pipeline_id IS NOT NULL ORDER BY pipeline_id")
                .compactMap { $0.int64(at: 0) }
        }
    }
}
