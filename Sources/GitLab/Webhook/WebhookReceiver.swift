// slipway — GitLab
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials

/// Verifies and reads GitLab webhook deliveries: bytes in, a ``WebhookDecision`` out. It does
/// no I/O, so the endpoint can call it inline and still answer within GitLab's 10 s timeout
/// (in microseconds, in fact).
///
/// The checks, in order, and the answer each gives:
/// 1. `X-Gitlab-Event` present, else 400 (not a GitLab webhook);
/// 2. the body is JSON with an `object_kind`, else 400 (custom webhook templates are not supported);
/// 3. `project.id` or `project.path_with_namespace` names a configured project, else 404;
/// 4. `X-Gitlab-Token` equals that project's `webhook_token` (constant time), else 401;
/// 5. push, tag push and merge request events become a ``PipelineTrigger`` unless they are a
///    deletion, ask to skip CI, or are a merge request action that does not build; everything
///    else is ignored with a reason (answered 202: GitLab disables hooks that keep failing).
public struct WebhookReceiver: Sendable {
    public var projects: [ProjectSettings]

    public init(projects: [ProjectSettings]) {
        self.projects = projects
    }

    /// Decides what to do with one delivery.
    public func receive(headers: WebhookHeaders, body: [UInt8]) -> WebhookDecision {
        guard let event = headers.event else {
            return WebhookDecision(outcome: .rejected(GitLabError(
                .invalidRequest,
                "not a GitLab webhook: the X-Gitlab-Event header is missing (add the URL under the project's Settings > Webhooks)")))
        }
        let payload: WebhookPayload
        do {
            payload = try JSONDecoder().decode(WebhookPayload.self, from: Data(body))
        } catch {
            return WebhookDecision(outcome: .rejected(Self.invalidBody(error, event: event)), event: event)
        }
        guard let objectKind = payload.objectKind, !objectKind.isEmpty else {
            return WebhookDecision(outcome: .rejected(GitLabError(
                .invalidRequest,
                "the body has no object_kind: custom webhook templates are not supported; clear the hook's custom template")), event: event)
        }
        let project: ProjectSettings
        switch self.project(for: payload) {
        case .success(let found): project = found
        case .failure(let error): return WebhookDecision(outcome: .rejected(error), event: event)
        }
        guard let token = headers.token else {
            return WebhookDecision(outcome: .rejected(GitLabError(
                .unauthorized,
                "X-Gitlab-Token is missing: set the webhook's Secret token in GitLab to project \(project.path)'s webhook_token")),
                project: project, event: event)
        }
        // GitLab strips line breaks from the configured token before sending it.
        guard ConstantTime.equals(Array(token.utf8), Array(project.webhookToken.utf8)) else {
            return WebhookDecision(outcome: .rejected(GitLabError(
                .unauthorized,
                "X-Gitlab-Token does not match the webhook_token configured for project \(project.path); copy the same secret into both")),
                project: project, event: event)
        }
        let outcome: WebhookDecision.Outcome
        do {
            outcome = try self.classify(objectKind: objectKind, event: event, body: body, payload: payload, project: project)
        } catch let error as GitLabError {
            outcome = .rejected(error)
        } catch {
            outcome = .rejected(Self.invalidBody(error, event: event))
        }
        return WebhookDecision(outcome: outcome, project: project, deduplicationKey: headers.deduplicationKey, event: event)
    }

    // MARK: - Project

    private func project(for payload: WebhookPayload) -> Result<ProjectSettings, GitLabError> {
        let id = payload.project?.id ?? payload.projectID
        let path = payload.project?.pathWithNamespace
        guard id != nil || path != nil else {
            return .failure(GitLabError(
                .invalidRequest,
                "the body names no project (project.id / project.path_with_namespace); system hooks are not supported, use a project or group webhook"))
        }
        if let id, let match = self.projects.first(where: { $0.id == id }) { return .success(match) }
        // GitLab routes paths case-insensitively, so `Group/App` and `group/app` are one project.
        if let path, let match = self.projects.first(where: { $0.path.lowercased() == path.lowercased() }) { return .success(match) }
        let name = path ?? "id \(id!)"
        return .failure(GitLabError(
            .unknownProject,
            "project \(name) is not configured in slipway; add it under projects[] with its webhook_token"))
    }

    // MARK: - Events

    private func classify(objectKind: String, event: String, body: [UInt8], payload: WebhookPayload,
                          project settings: ProjectSettings) throws -> WebhookDecision.Outcome {
        switch objectKind {
        case "push", "tag_push":
            let push = try JSONDecoder().decode(PushEventPayload.self, from: Data(body))
            return try self.classifyPush(push, payload: payload, settings: settings)
        case "merge_request":
            let mergeRequest = try JSONDecoder().decode(MergeRequestEventPayload.self, from: Data(body))
            return try self.classifyMergeRequest(mergeRequest, payload: payload, settings: settings)
        default:
            return .ignored(.unsupportedEvent(objectKind: objectKind, header: event))
        }
    }

    private func classifyPush(_ push: PushEventPayload, payload: WebhookPayload, settings: ProjectSettings) throws -> WebhookDecision.Outcome {
        guard let ref = PipelineRef(fullRef: push.ref) else {
            throw GitLabError(.invalidRequest, "push ref '\(push.ref)' is neither refs/heads/… nor refs/tags/…")
        }
        // A deletion: `after` is 40 zeros and `checkout_sha` null (`Gitlab::DataBuilder::Push`).
        guard let sha = push.checkoutSHA, !Self.isZero(sha), !Self.isZero(push.after ?? "") else {
            return .ignored(.refDeleted(ref))
        }
        // GitLab tests only the head commit's message, found by id rather than position.
        let message = push.commits?.first(where: { $0.id == sha || $0.id == push.after })?.message
        if push.pushOptions?.ci?.skip != nil || message.map(CommitMessage.requestsSkip) == true {
            return .ignored(.skipRequested(ref: ref, sha: sha))
        }
        let trigger = PipelineTrigger(
            source: .push, project: try Self.project(payload, settings), ref: ref, sha: sha,
            beforeSHA: push.before.flatMap { $0.isEmpty ? nil : $0 } ?? PipelineTrigger.zeroSHA,
            commitMessage: message, userLogin: push.userUsername,
            cloneURL: try Self.cloneURL(settings: settings, payloadURL: payload.project?.gitHTTPURL))
        return .createPipeline(trigger)
    }

    private func classifyMergeRequest(_ event: MergeRequestEventPayload, payload: WebhookPayload,
                                      settings: ProjectSettings) throws -> WebhookDecision.Outcome {
        let attributes = event.objectAttributes
        let action = attributes.action ?? ""
        switch action {
        case "open", "reopen":
            break
        case "update" where attributes.oldrev != nil:
            break
        case "update":
            return .ignored(.mergeRequestWithoutNewCommits(iid: attributes.iid))
        default:
            return .ignored(.mergeRequestAction(action.isEmpty ? "(none)" : action))
        }
        guard let commit = attributes.lastCommit else {
            throw GitLabError(.invalidRequest, "merge request !\(attributes.iid) has no object_attributes.last_commit to build")
        }
        let ref = PipelineRef.branch(attributes.sourceBranch)
        if commit.message.map(CommitMessage.requestsSkip) == true {
            return .ignored(.skipRequested(ref: ref, sha: commit.id))
        }
        // A fork's commits live in the source project; fetch from there.
        let isFork = attributes.sourceProjectID != nil && attributes.sourceProjectID != attributes.targetProjectID
        let payloadURL = isFork ? attributes.source?.gitHTTPURL : payload.project?.gitHTTPURL
        let trigger = PipelineTrigger(
            source: .mergeRequestEvent, project: try Self.project(payload, settings), ref: ref, sha: commit.id,
            commitMessage: commit.message,
            mergeRequest: .init(iid: attributes.iid, sourceBranch: attributes.sourceBranch, targetBranch: attributes.targetBranch,
                                title: attributes.title),
            userLogin: event.user?.username,
            cloneURL: try Self.cloneURL(settings: settings, payloadURL: payloadURL))
        return .createPipeline(trigger)
    }

    // MARK: - Helpers

    private static func project(_ payload: WebhookPayload, _ settings: ProjectSettings) throws -> PipelineTrigger.Project {
        guard let id = payload.project?.id ?? payload.projectID ?? settings.id else {
            throw GitLabError(.invalidRequest, "the body has no project.id; configure projects[].id for \(settings.path)")
        }
        return PipelineTrigger.Project(
            id: id, path: payload.project?.pathWithNamespace ?? settings.path,
            webURL: payload.project?.webURL, defaultBranch: payload.project?.defaultBranch)
    }

    private static func cloneURL(settings: ProjectSettings, payloadURL: String?) throws -> String {
        if let url = settings.cloneURL ?? payloadURL, !url.isEmpty { return url }
        throw GitLabError(.invalidRequest, "the body has no git_http_url; set projects[].clone_url for \(settings.path)")
    }

    private static func isZero(_ sha: String) -> Bool {
        !sha.isEmpty && sha.allSatisfy { $0 == "0" }
    }

    private static func invalidBody(_ error: any Error, event: String) -> GitLabError {
        let detail: String
        switch error {
        case DecodingError.dataCorrupted(let context):
            detail = "not valid JSON (\(context.debugDescription))"
        case DecodingError.keyNotFound(let key, let context):
            detail = "missing field \((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            detail = "unexpected value at \(context.codingPath.map(\.stringValue).joined(separator: ".")) (\(context.debugDescription))"
        default:
            detail = "unreadable (\(error))"
        }
        return GitLabError(.invalidRequest, "the \(event) body is \(detail); send GitLab's own JSON, not a custom template",
                           underlying: error)
    }
}
