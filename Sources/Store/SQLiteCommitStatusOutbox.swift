// slipway — Store
// SPDX-License-Identifier: Apache-2.0

import CommitStatus
import FoundationEssentials
import SQLite

/// ``CommitStatusOutbox`` in the job store's SQLite database (table `commit_status_outbox`),
/// written through its group-commit writer: an enqueued status has been fsynced when
/// ``enqueue(_:at:)`` returns, and survives a crash or restart.
public final class SQLiteCommitStatusOutbox: CommitStatusOutbox {
    public let database: SQLiteDatabase

    /// The outbox in `store`'s database (its migrations create the table).
    public convenience init(store: SQLiteJobStore) {
        self.init(database: store.database)
    }

    init(database: SQLiteDatabase) {
        self.database = database
    }

    // MARK: - Writing

    public func enqueue(_ update: CommitStatusUpdate, at time: Date) async throws -> CommitStatusOutboxEntry? {
        let target = update.target
        let milliseconds = JSONRow.milliseconds(time)
        return try await self.database.write { connection -> CommitStatusOutboxEntry? in
            let newest = try connection.first(
                "SELECT state FROM commit_status_outbox WHERE stream = ? ORDER BY id DESC LIMIT 1", [target.streamKey])
            if newest?.string(at: 0) == update.state.rawValue { return nil }
            var learned: Int64?
            if target.pipelineID == nil {
                learned = try connection.first(
                    """
                    SELECT learned_pipeline_id FROM commit_status_outbox
                    WHERE gitlab_url = ? AND project = ? AND sha = ? AND ref = ? AND learned_pipeline_id IS NOT NULL
                    ORDER BY id DESC LIMIT 1
                    """, [target.gitlabURL, target.projectID, target.sha, target.ref]
                )?.int64(at: 0)
            }
            try connection.execute(
                """
                INSERT INTO commit_status_outbox (stream, gitlab_url, project, project_path, sha, ref, name, pipeline_id,
                    learned_pipeline_id, state, description, target_url, enqueued_at_ms, next_attempt_at_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    target.streamKey, target.gitlabURL, target.projectID, target.projectPath, target.sha, target.ref, target.name,
                    target.pipelineID, learned, update.state.rawValue, update.description, update.targetURL, milliseconds, milliseconds,
                ]
            )
            return CommitStatusOutboxEntry(
                id: connection.lastInsertRowID, update: update, enqueuedAt: JSONRow.date(milliseconds),
                nextAttemptAt: JSONRow.date(milliseconds), learnedPipelineID: learned
            )
        }
    }

    public func markDelivered(_ id: Int64, outcome: CommitStatusOutboxEntry.Outcome, pipelineID: Int64?, at time: Date) async throws {
        precondition(outcome == .delivered || outcome == .alreadyThere, "markDelivered records a delivery, not \(outcome)")
        try await self.database.write { connection in
            try connection.execute(
                """
                UPDATE commit_status_outbox
                SET outcome = ?, attempts = attempts + 1, last_error = NULL, finished_at_ms = ?,
                    learned_pipeline_id = coalesce(?, learned_pipeline_id)
                WHERE id = ?
                """, [outcome.rawValue, JSONRow.milliseconds(time), pipelineID, id])
            guard let pipelineID, let row = try connection.first(
                "SELECT gitlab_url, project, sha, ref FROM commit_status_outbox WHERE id = ?", [id]) else { return }
            // Statuses still waiting for the same commit and ref join the same GitLab pipeline
            // (without pipeline_id GitLab picks the newest one for sha and ref, which may be
            // another: gitlab-foss#51368).
            try connection.execute(
                """
                UPDATE commit_status_outbox SET learned_pipeline_id = ?
                WHERE outcome = 'waiting' AND pipeline_id IS NULL AND learned_pipeline_id IS NULL
                  AND gitlab_url = ? AND project = ? AND sha = ? AND ref = ?
                """, [pipelineID, row.string(at: 0), row.string(at: 1), row.string(at: 2), row.string(at: 3)])
        }
    }

    public func markFailed(_ id: Int64, error: String, nextAttempt: Date) async throws {
        try await self.database.write { connection in
            try connection.execute(
                "UPDATE commit_status_outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at_ms = ? WHERE id = ?",
                [error, JSONRow.milliseconds(nextAttempt), id])
        }
    }

    public func markGivenUp(_ id: Int64, reason: String, attempted: Bool, at time: Date) async throws {
        try await self.database.write { connection in
            try connection.execute(
                """
                UPDATE commit_status_outbox SET outcome = 'gave_up', attempts = attempts + ?, last_error = ?, finished_at_ms = ?
                WHERE id = ?
                """, [attempted ? 1 : 0, reason, JSONRow.milliseconds(time), id])
        }
    }

    // MARK: - Reading

    /// Only the oldest waiting entry of a stream can be due: the order guarantee.
    private static let streamHeads = """
        FROM commit_status_outbox AS o
        WHERE o.outcome = 'waiting'
          AND o.id = (SELECT min(h.id) FROM commit_status_outbox AS h WHERE h.stream = o.stream AND h.outcome = 'waiting')
        """

    public func due(at time: Date, limit: Int) async throws -> [CommitStatusOutboxEntry] {
        try await self.database.read { connection in
            try connection.query(
                "SELECT o.* \(Self.streamHeads) AND o.next_attempt_at_ms <= ? ORDER BY o.next_attempt_at_ms, o.id LIMIT ?",
                [JSONRow.milliseconds(time), Int64(limit)]
            ).map(Self.decode)
        }
    }

    public func nextAttemptTime() async throws -> Date? {
        try await self.database.read { connection in
            try connection.first("SELECT min(o.next_attempt_at_ms) \(Self.streamHeads)")?.int64(at: 0).map(JSONRow.date)
        }
    }

    public func entries(for target: CommitStatusTarget) async throws -> [CommitStatusOutboxEntry] {
        try await self.database.read { connection in
            try connection.query("SELECT * FROM commit_status_outbox WHERE stream = ? ORDER BY id", [target.streamKey]).map(Self.decode)
        }
    }

    /// Entries not yet delivered or given up, across all streams (for diagnostics and tests).
    public func waitingCount() async throws -> Int {
        try await self.database.read { connection in
            try connection.first("SELECT count(*) FROM commit_status_outbox WHERE outcome = 'waiting'")?.int(at: 0) ?? 0
        }
    }

    static func decode(_ row: SQLiteRow) throws -> CommitStatusOutboxEntry {
        guard let id = row.int64(named: "id"), let gitlabURL = row.string(named: "gitlab_url"), let project = row.string(named: "project"),
              let sha = row.string(named: "sha"), let ref = row.string(named: "ref"), let name = row.string(named: "name"),
              let stateText = row.string(named: "state"), let state = CommitState(rawValue: stateText),
              let enqueuedAt = row.int64(named: "enqueued_at_ms"), let attempts = row.int(named: "attempts"),
              let nextAttempt = row.int64(named: "next_attempt_at_ms"),
              let outcomeText = row.string(named: "outcome"), let outcome = CommitStatusOutboxEntry.Outcome(rawValue: outcomeText)
        else {
            throw StoreError(.corruptRow, "commit_status_outbox row \(row.int64(named: "id") ?? -1) has missing or unknown values")
        }
        let target = CommitStatusTarget(
            gitlabURL: gitlabURL, projectID: project, sha: sha, ref: ref, name: name,
            pipelineID: row.int64(named: "pipeline_id"), projectPath: row.string(named: "project_path"))
        return CommitStatusOutboxEntry(
            id: id,
            update: CommitStatusUpdate(target: target, state: state, description: row.string(named: "description"),
                                       targetURL: row.string(named: "target_url")),
            enqueuedAt: JSONRow.date(enqueuedAt), attempts: attempts, nextAttemptAt: JSONRow.date(nextAttempt), outcome: outcome,
            lastError: row.string(named: "last_error"), learnedPipelineID: row.int64(named: "learned_pipeline_id"),
            finishedAt: row.int64(named: "finished_at_ms").map(JSONRow.date)
        )
    }
}
