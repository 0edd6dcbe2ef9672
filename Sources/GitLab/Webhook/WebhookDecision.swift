// slipway — GitLab
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials

/// What to do with one webhook delivery, decided from its headers and body alone.
///
/// The endpoint turns it into a response:
/// ```swift
/// let decision = receiver.receive(headers: headers, body: body)
/// if let key = decision.deduplicationKey, let earlier = try await store.webhookAnswer(for: key) {
///     return earlier                                   // a redelivery: answer as before
/// }
/// switch decision.outcome {
/// case .createPipeline(let trigger):
///     let id = try await store.insertPipeline(trigger, deduplicationKey: decision.deduplicationKey)
///     return Response(status: decision.status, body: decision.responseBody(pipelineID: id))
/// case .ignored:
///     return Response(status: decision.status, body: decision.responseBody())
/// case .rejected(let error):
///     return problem(status: decision.status, detail: error.message)
/// }
/// ```
public struct WebhookDecision: Sendable {
    public enum Outcome: Sendable {
        /// Record a pipeline for this trigger, then answer 202 `{"pipeline_id": …}`.
        case createPipeline(PipelineTrigger)
        /// Answer 202 `{"ignored": reason.message}`; create nothing.
        case ignored(WebhookIgnoreReason)
        /// Refuse the delivery with `error.httpStatus` and `error.message`.
        case rejected(GitLabError)
    }

    public var outcome: Outcome
    /// The configured project the delivery belongs to, once it is known (it is not for a body
    /// that cannot be read or names an unknown project). Authenticated unless rejected.
    public var project: ProjectSettings?
    /// `Idempotency-Key`, else `X-Gitlab-Event-UUID`: a redelivery carries it again. Only set
    /// for authenticated deliveries, so an unauthenticated request cannot poison the dedup table.
    public var deduplicationKey: String?
    /// `X-Gitlab-Event` as sent, for logs.
    public var event: String?

    public init(outcome: Outcome, project: ProjectSettings? = nil, deduplicationKey: String? = nil, event: String? = nil) {
        self.outcome = outcome
        self.project = project
        self.deduplicationKey = deduplicationKey
        self.event = event
    }

    /// The HTTP status to answer with: 202 for pipelines and ignored events, the error's status
    /// for refusals.
    public var status: Int {
        switch self.outcome {
        case .createPipeline, .ignored: 202
        case .rejected(let error): error.httpStatus ?? 400
        }
    }

    /// The JSON body for a 202: `{"pipeline_id": N}` or `{"ignored": "…"}`; for a refusal,
    /// `{"error": "…"}` (an endpoint with a problem+json convention uses `error.message`).
    public func responseBody(pipelineID: Int64? = nil) -> [UInt8] {
        let object: [String: JSONValue] =
            switch self.outcome {
            case .createPipeline: ["pipeline_id": pipelineID.map { .integer($0) } ?? .null]
            case .ignored(let reason): ["ignored": .string(reason.message)]
            case .rejected(let error): ["error": .string(error.message)]
            }
        return Array((try? JSONEncoder().encode(object)) ?? Data("{}".utf8))
    }

    private enum JSONValue: Encodable {
        case string(String)
        case integer(Int64)
        case null

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .string(let value): try container.encode(value)
            case .integer(let value): try container.encode(value)
            case .null: try container.encodeNil()
            }
        }
    }
}
