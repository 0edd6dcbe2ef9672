// slipway — GitLab
// SPDX-License-Identifier: Apache-2.0

/// Why a well-formed, authenticated delivery starts no pipeline. The endpoint answers these
/// with 202 and ``message``: GitLab counts every 4xx/5xx toward disabling the hook.
public enum WebhookIgnoreReason: Sendable, Hashable {
    /// A branch or tag was deleted (`after` all zeros, `checkout_sha` null). Pipelines still
    /// running for the ref may be cancelled.
    case refDeleted(PipelineRef)
    /// The head commit message holds `[skip ci]` / `[ci skip]` (or a variant), or the push
    /// carried `-o ci.skip`.
    case skipRequested(ref: PipelineRef, sha: String)
    /// A merge request action that does not run pipelines (`close`, `merge`, `approved`, …).
    case mergeRequestAction(String)
    /// A merge request `update` without `oldrev`: the title, labels or reviewers changed, no code.
    case mergeRequestWithoutNewCommits(iid: Int)
    /// An event slipway does not build (`note`, `pipeline`, `wiki_page`, …).
    case unsupportedEvent(objectKind: String, header: String?)

    /// The text for `{"ignored": "…"}`.
    public var message: String {
        switch self {
        case .refDeleted(let ref):
            return "\(ref.isTag ? "tag" : "branch") \(ref.name) was deleted; nothing to build"
        case .skipRequested(let ref, let sha):
            return "commit \(sha.prefix(8)) on \(ref.name) asks to skip CI ([skip ci] or ci.skip)"
        case .mergeRequestAction(let action):
            return "merge request action '\(action)' does not run pipelines (only open, reopen and update with new commits do)"
        case .mergeRequestWithoutNewCommits(let iid):
            return "merge request !\(iid) was updated without new commits (no oldrev); nothing to build"
        case .unsupportedEvent(let kind, let header):
            let name = header.map { "'\($0)' (object_kind \(kind))" } ?? "object_kind '\(kind)'"
            return "event \(name) does not run pipelines; slipway builds Push Hook, Tag Push Hook and Merge Request Hook"
        }
    }
}
