// slipway — Store
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import Jobs
import SQLite

/// The intake side of pipelines: a received pipeline is recorded (with the delivery's answer
/// for deduplication) in one write before anyone is answered, and planned afterwards.
extension SQLiteJobStore {
    /// The answer recorded for an earlier delivery.
    public struct DeliveryAnswer: Sendable, Hashable {
        public var status: Int
        public var body: String
        public var pipelineID: Int64?
    }

    /// A delivery to remember: the project and key it is deduplicated by.
    public struct DeliveryKey: Sendable, Hashable {
        public var project: String
        public var key: String

        public init(project: String, key: String) {
            self.project = project
            self.key = key
        }
    }

    /// What ``receivePipeline(project:ref:sha:source:trigger:delivery:at:)`` did.
    public enum Reception: Sendable {
        /// The pipeline was recorded; `answer` is what the delivery should get.
        case created(Pipeline, answer: DeliveryAnswer)
        /// The same delivery was recorded before (a redelivery racing the first): nothing new.
        case duplicate(DeliveryAnswer)
    }

    /// The answer given to `delivery` before, if it was seen.
    public func deliveryAnswer(_ delivery: DeliveryKey) async throws -> DeliveryAnswer? {
        try await self.database.read { connection in
            try connection.first(
                "SELECT status, body, pipeline_id FROM webhook_deliveries WHERE project = ? AND key = ?", [delivery.project, delivery.key]
            ).map { DeliveryAnswer(status: $0.int(at: 0) ?? 202, body: $0.string(at: 1) ?? "{}", pipelineID: $0.int64(at: 2)) }
        }
    }

    /// Records a pipeline waiting to be planned and, with `delivery`, the answer `202
    /// {"pipeline_id": N}` under its key — in one transaction, durable when this returns.
    /// - Parameter trigger: what the planner needs later (JSON; it must hold no credential).
    public func receivePipeline(project: String, ref: String, sha: String?, source: String, trigger: String,
                                delivery: DeliveryKey?, at time: Date) async throws -> Reception {
        let createdAt = JSONRow.milliseconds(time)
        return try await self.database.write { connection -> Reception in
            if let delivery, let row = try connection.first(
                "SELECT status, body, pipeline_id FROM webhook_deliveries WHERE project = ? AND key = ?", [delivery.project, delivery.key]
            ) {
                return .duplicate(DeliveryAnswer(status: row.int(at: 0) ?? 202, body: row.string(at: 1) ?? "{}", pipelineID: row.int64(at: 2)))
            }
            try connection.execute(
                "INSERT INTO pipelines (project, ref, sha, source, created_at_ms, trigger, intake) VALUES (?, ?, ?, ?, ?, ?, 'received')",
                [project, ref, sha, source, createdAt, trigger]
            )
            let id = connection.lastInsertRowID
            let answer = DeliveryAnswer(status: 202, body: #"{"pipeline_id":\#(id)}"#, pipelineID: id)
            if let delivery {
                try connection.execute(
                    "INSERT INTO webhook_deliveries (project, key, status, body, pipeline_id, created_at_ms) VALUES (?, ?, ?, ?, ?, ?)",
                    [delivery.project, delivery.key, Int64(answer.status), answer.body, id, createdAt]
                )
            }
            return .created(Pipeline(id: id, project: project, ref: ref, sha: sha, source: source, createdAt: JSONRow.date(createdAt)),
                            answer: answer)
        }
    }

    /// Pipelines received but not yet planned, oldest first, with their triggers.
    public func receivedPipelines(after id: Int64 = 0, limit: Int) async throws -> [(pipeline: Pipeline, trigger: String)] {
        try await self.database.read { connection in
            try connection.query(
                "SELECT * FROM pipelines WHERE intake = 'received' AND id > ? ORDER BY id LIMIT ?", [id, limit]
            ).map { row in (pipeline: try PipelineRow.decode(row), trigger: row.string(named: "trigger") ?? "{}") }
        }
    }

    /// Sets the commit of a pipeline that was started for a ref (`POST /v1/pipelines` without a sha).
    public func setPipelineSHA(_ sha: String, for pipelineID: Int64) async throws {
        try await self.database.write { connection in
            try connection.execute("UPDATE pipelines SET sha = ? WHERE id = ?", [sha, pipelineID])
        }
    }

    /// How many pipelines there are (benchmarks compare acknowledged and stored).
    public func pipelineCount() async throws -> Int {
        try await self.database.read { connection in
            try connection.first("SELECT count(*) FROM pipelines")?.int(at: 0) ?? 0
        }
    }
}
