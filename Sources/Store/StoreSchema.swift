// slipway — Store
// SPDX-License-Identifier: Apache-2.0

import SQLite

/// The database schema, as ordered migrations. Append new migrations; never edit applied ones.
enum StoreSchema {
    static var migrator: SQLiteMigrator {
        var migrator = SQLiteMigrator()
        migrator.register("create jobs", sql: """
            CREATE TABLE jobs (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                name TEXT NOT NULL,
                image TEXT NOT NULL,
                script TEXT NOT NULL,            -- JSON array of lines
                variables TEXT NOT NULL,         -- JSON object
                worker TEXT NOT NULL,
                timeout_ms INTEGER NOT NULL,
                project TEXT,
                pipeline_id INTEGER,
                stage TEXT,
                ref TEXT,
                status TEXT NOT NULL,
                failure_reason TEXT,
                exit_code INTEGER,
                created_at_ms INTEGER NOT NULL,
                started_at_ms INTEGER,
                finished_at_ms INTEGER,
                container_id TEXT
            );
            CREATE INDEX jobs_by_status ON jobs (status, id);
            CREATE INDEX jobs_by_pipeline ON jobs (pipeline_id, id);
            """)
        migrator.register("pipelines, retries and the event log", sql: """
            ALTER TABLE jobs ADD COLUMN retry_of INTEGER;
            CREATE INDEX jobs_by_project ON jobs (project, id);
            CREATE TABLE pipelines (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                project TEXT NOT NULL,
                ref TEXT NOT NULL,
                sha TEXT,
                source TEXT NOT NULL,
                created_at_ms INTEGER NOT NULL
            );
            CREATE INDEX pipelines_by_project ON pipelines (project, id);
            -- Status changes for /v1/events, kept for a window (Last-Event-ID resume).
            CREATE TABLE events (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                subject TEXT NOT NULL,           -- job or pipeline
                job_id INTEGER,
                pipeline_id INTEGER,
                status TEXT NOT NULL,
                worker TEXT,
                project TEXT,
                ref TEXT,
                created_at_ms INTEGER NOT NULL,
                data TEXT NOT NULL               -- the JSON document subscribers receive
            );
            CREATE INDEX events_by_time ON events (created_at_ms);
            """)
        migrator.register("pipeline runs and webhook deliveries", sql: """
            -- What the runner needs to plan a pipeline (JSON, never a credential), and where it is:
            -- NULL for pipelines made through the store alone, 'received' until its jobs exist,
            -- then 'planned'.
            ALTER TABLE pipelines ADD COLUMN trigger TEXT;
            ALTER TABLE pipelines ADD COLUMN intake TEXT;
            ALTER TABLE pipelines ADD COLUMN settled_status TEXT;
            ALTER TABLE pipelines ADD COLUMN failure_reason TEXT;
            ALTER TABLE pipelines ADD COLUMN failure_message TEXT;
            ALTER TABLE pipelines ADD COLUMN auto_canceled_by INTEGER;
            ALTER TABLE pipelines ADD COLUMN allowed_failures TEXT;   -- JSON array of job ids
            CREATE INDEX pipelines_by_ref ON pipelines (project, ref, id);
            CREATE INDEX pipelines_by_intake ON pipelines (intake, id) WHERE intake = 'received';
            -- Stage order and `when` of pipeline jobs.
            CREATE TABLE pipeline_jobs (
                job_id INTEGER PRIMARY KEY,
                pipeline_id INTEGER NOT NULL,
                stage_index INTEGER NOT NULL,
                run_when TEXT NOT NULL,
                allow_failure INTEGER NOT NULL,
                interruptible INTEGER NOT NULL
            );
            CREATE INDEX pipeline_jobs_by_pipeline ON pipeline_jobs (pipeline_id, stage_index);
            -- The answer given to each authenticated delivery that created a pipeline, so that a
            -- redelivery (same Idempotency-Key or X-Gitlab-Event-UUID) gets it again.
            CREATE TABLE webhook_deliveries (
                project TEXT NOT NULL,
                key TEXT NOT NULL,
                status INTEGER NOT NULL,
                body TEXT NOT NULL,
                pipeline_id INTEGER,
                created_at_ms INTEGER NOT NULL,
                PRIMARY KEY (project, key)
            ) WITHOUT ROWID;
            """)
        registerCommitStatusOutbox(&migrator)
        return migrator
    }

    // MARK: - Commit status outbox (branch `status`)

    /// Commit statuses on their way to GitLab (``SQLiteCommitStatusOutbox``). One row per
    /// state to post; a stream (GitLab instance, project, sha, status name) is delivered in
    /// `id` order. Delivered rows stay for the pipeline id they taught (and for diagnostics).
    /// No token is stored: it comes from the configuration at delivery time.
    static func registerCommitStatusOutbox(_ migrator: inout SQLiteMigrator) {
        migrator.register("create commit_status_outbox", sql: """
            CREATE TABLE commit_status_outbox (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                stream TEXT NOT NULL,               -- gitlab_url|project|sha|name, delivered in id order
                gitlab_url TEXT NOT NULL,
                project TEXT NOT NULL,              -- numeric id or group/name
                project_path TEXT,
                sha TEXT NOT NULL,
                ref TEXT NOT NULL,
                name TEXT NOT NULL,
                pipeline_id INTEGER,                -- GitLab's, as the caller gave it
                learned_pipeline_id INTEGER,        -- GitLab's, from an earlier answer for (gitlab_url, project, sha, ref)
                state TEXT NOT NULL,
                description TEXT,
                target_url TEXT,
                enqueued_at_ms INTEGER NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at_ms INTEGER NOT NULL,
                outcome TEXT NOT NULL DEFAULT 'waiting',   -- waiting, delivered, already_there, gave_up
                last_error TEXT,
                finished_at_ms INTEGER
            );
            CREATE INDEX commit_status_outbox_waiting ON commit_status_outbox (stream, id) WHERE outcome = 'waiting';
            CREATE INDEX commit_status_outbox_by_stream ON commit_status_outbox (stream, id);
            CREATE INDEX commit_status_outbox_by_commit ON commit_status_outbox (gitlab_url, project, sha, ref) WHERE learned_pipeline_id IS NOT NULL;
            """)
        // `GET /v1/jobs?status=…`, the poll dashboards and scripts make most, reads every column
        // it shows from this index alone instead of looking up each row in the table. It keeps
        // jobs_by_status's (status, id) prefix, so it replaces it. The columns are
        // JobSummaryRow.columns; a test checks the list's query plan uses it.
        migrator.register("cover the job list by status", sql: """
            CREATE INDEX jobs_by_status_summary ON jobs (
                status, id, name, image, worker, timeout_ms, project, pipeline_id, stage, ref,
                failure_reason, exit_code, created_at_ms, started_at_ms, finished_at_ms, retry_of);
            DROP INDEX jobs_by_status;
            """)
    }
}
