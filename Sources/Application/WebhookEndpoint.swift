// slipway — Application
// SPDX-License-Identifier: Apache-2.0

import API
import FoundationEssentials
import GitLab
import HTTP
import Jobs
import Logging
import Store

/// `POST /webhooks/gitlab` and `POST /v1/pipelines`: the two ways a pipeline starts.
///
/// A webhook is answered as soon as its pipeline is durably recorded (one group-committed
/// write, shared with other deliveries): `202 {"pipeline_id": N}`. Fetching and planning
/// follow in the ``PipelinePlanner``. A redelivery (same `Idempotency-Key` or
/// `X-Gitlab-Event-UUID` for the same project) gets the first answer again and creates
/// nothing. Ignored events get `202 {"ignored": "…"}` (GitLab disables hooks that keep
/// failing); only real misconfiguration is refused (400, 401, 404; 413 from the server).
struct WebhookEndpoint: Sendable {
    var receiver: WebhookReceiver
    var projects: [ProjectConfiguration]
    var store: SQLiteJobStore
    var planner: PipelinePlanner
    var metrics: MetricsRegistry
    var logger: Logger
    var access: AccessPolicy
    var maxBodyBytes: Int

    func register(on router: inout Router) {
        let endpoint = self
        // No API token here: GitLab authenticates with the project's X-Gitlab-Token.
        router.post("/webhooks/gitlab", bodyLimit: self.maxBodyBytes) { request in try await endpoint.receive(request) }
        router.post("/v1/pipelines", bodyLimit: 64 * 1024, self.access.guarding(.submit) { request in try await endpoint.create(request) })
    }

    // MARK: - Webhooks

    func receive(_ request: HTTPRequest) async throws -> HTTPResponse {
        let headers = WebhookHeaders(request.fields.map { ($0.name, $0.value) })
        let decision = self.receiver.receive(headers: headers, body: request.body)
        var metadata: Logger.Metadata = [
            "event": "\(decision.event ?? "-")", "project": "\(decision.project?.path ?? "-")",
            "delivery": "\(headers.webhookUUID ?? "-")",
        ]
        switch decision.outcome {
        case .rejected(let error):
            self.metrics.recordWebhookDelivery(outcome: "rejected")
            metadata["reason"] = "\(error.message)"
            self.logger.warning("webhook refused", metadata: metadata)
            let status = HTTPStatus(code: error.httpStatus ?? 400)
            throw HTTPError(status, error.message, type: "https://slipway.dev/problems/webhook-\(error.code)")
        case .ignored(let reason):
            self.metrics.recordWebhookDelivery(outcome: "ignored")
            metadata["reason"] = "\(reason.message)"
            self.logger.debug("webhook ignored", metadata: metadata)
            return .json(bytes: decision.responseBody(), status: .accepted)
        case .createPipeline(let trigger):
            let project = decision.project!
            let delivery = decision.deduplicationKey.map { SQLiteJobStore.DeliveryKey(project: project.path, key: $0) }
            let reception = try await self.store.receivePipeline(
                project: project.path, ref: trigger.ref.name, sha: trigger.sha, source: trigger.source.rawValue,
                trigger: try Self.encode(trigger), delivery: delivery, at: Date())
            switch reception {
            case .created(let pipeline, let answer):
                self.metrics.recordWebhookDelivery(outcome: "accepted")
                self.planner.wake()
                metadata["pipeline"] = "\(pipeline.id)"
                self.logger.debug("webhook accepted", metadata: metadata)
                return Self.answer(answer, duplicate: false)
            case .duplicate(let answer):
                self.metrics.recordWebhookDelivery(outcome: "duplicate")
                self.logger.info("webhook redelivered; answered as before", metadata: metadata)
                return Self.answer(answer, duplicate: true)
            }
        }
    }

    static func answer(_ answer: SQLiteJobStore.DeliveryAnswer, duplicate: Bool) -> HTTPResponse {
        var response = HTTPResponse.json(bytes: Array(answer.body.utf8), status: HTTPStatus(code: answer.status))
        if duplicate { response.fields.append(name: "X-Slipway-Duplicate", value: "true") }
        return response
    }

    static func encode(_ trigger: PipelineTrigger) throws -> String {
        String(decoding: try JSONEncoder().encode(trigger), as: UTF8.self)
    }

    // MARK: - POST /v1/pipelines

    /// `{"project": "group/app", "ref": "main", "sha": "…"}`: a pipeline without a webhook
    /// (`CI_PIPELINE_SOURCE=api`). `ref` is a branch name or a full `refs/heads/…`/`refs/tags/…`;
    /// without `sha` the ref's current commit is built. Answered 201 once recorded.
    func create(_ request: HTTPRequest) async throws -> HTTPResponse {
        guard case .object(let fields) = try JSONValue.parse(request.body) else {
            throw HTTPError(.unprocessableContent, "the request body must be a JSON object")
        }
        let known: Set<String> = ["project", "ref", "sha"]
        for key in fields.keys.sorted() where !known.contains(key) {
            throw Self.invalid(key, "unknown field; known fields are project, ref and sha")
        }
        guard case .string(let path)? = fields["project"], !path.isEmpty else { throw Self.invalid("project", "is required: the project's path, such as group/app") }
        guard case .string(let refText)? = fields["ref"], !refText.isEmpty, refText.utf8.count <= 1024 else {
            throw Self.invalid("ref", "is required: a branch name, or refs/heads/… or refs/tags/…")
        }
        var sha = ""
        if let value = fields["sha"], value != .null {
            guard case .string(let text) = value, text.count == 40 || text.count == 64, text.allSatisfy(\.isHexDigit) else {
                throw Self.invalid("sha", "must be a full commit sha (40 hex digits)")
            }
            sha = text.lowercased()
        }
        guard let project = self.projects.first(where: { $0.path.lowercased() == path.lowercased() }) else {
            throw Self.invalid("project", "project \(path.prefix(200)) is not configured in slipway (projects[])")
        }
        let ref = refText.hasPrefix("refs/") ? PipelineRef(fullRef: refText) : .branch(refText)
        guard let ref, !ref.name.isEmpty,
              !refText.contains(where: { $0 == " " || $0 == "~" || $0 == "^" || $0 == ":" || $0 == "\\" || $0.asciiValue.map { $0 < 32 } == true }),
              !refText.contains("..")
        else { throw Self.invalid("ref", "is not a valid branch name or full ref") }
        guard let cloneURL = project.settings.cloneURL else {
            throw Self.invalid("project", "project \(project.path) has no clone_url in slipway's configuration; API pipelines need one")
        }
        let trigger = PipelineTrigger(
            source: .api, project: .init(id: project.settings.id ?? 0, path: project.path, defaultBranch: project.defaultBranch),
            ref: ref, sha: sha, cloneURL: cloneURL)
        let reception = try await self.store.receivePipeline(
            project: project.path, ref: ref.name, sha: sha.isEmpty ? nil : sha, source: trigger.source.rawValue,
            trigger: try Self.encode(trigger), delivery: nil, at: Date())
        guard case .created(let pipeline, _) = reception else { throw HTTPError(.internalServerError, "the pipeline was not recorded") }
        self.planner.wake()
        var response = try HTTPResponse.json(PipelineRepresentation(pipeline, jobs: [], includeJobs: true), status: .created)
        response.fields.append(name: "Location", value: "/v1/pipelines/\(pipeline.id)")
        return response
    }

    static func invalid(_ field: String, _ message: String) -> HTTPError {
        HTTPError(.unprocessableContent, "\(field) \(message)", type: "https://slipway.dev/problems/invalid-field", extensions: ["field": field])
    }
}
