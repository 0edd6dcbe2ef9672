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
        return migrator
    }
}
