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
        return migrator
    }
}
