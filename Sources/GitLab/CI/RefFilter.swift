// slipway — GitLab
// SPDX-License-Identifier: Apache-2.0

/// An `only:` or `except:` list (or its `refs:` key): which pipelines a job belongs to.
public struct RefFilter: Sendable, Hashable {
    public enum Pattern: Sendable, Hashable {
        /// `branches`: branch pipelines (push or API), not merge request pipelines.
        case branches
        /// `tags`: tag pipelines.
        case tags
        /// `merge_requests`: merge request pipelines.
        case mergeRequests
        /// `api`: pipelines started with `POST /v1/pipelines`.
        case api
        /// `pushes`: pipelines started by a push.
        case pushes
        /// A GitLab pipeline source slipway never produces (`schedules`, `triggers`, `web`, …):
        /// matches nothing, as it would match nothing on GitLab for these pipelines.
        case otherSource(String)
        /// A branch or tag name, exactly.
        case name(String)
        /// `/regex/`: branch or tag names matching it.
        case regex(RulePattern)
    }

    public var patterns: [Pattern]

    public init(_ patterns: [Pattern]) {
        self.patterns = patterns
    }

    /// GitLab's default when a job has neither `rules` nor `only`: `only: [branches, tags]`.
    public static let defaultOnly = RefFilter([.branches, .tags])

    /// Whether any pattern matches the pipeline `trigger` describes.
    public func matches(_ trigger: PipelineTrigger) -> Bool {
        let isMergeRequest = trigger.source == .mergeRequestEvent
        return self.patterns.contains { pattern in
            switch pattern {
            case .branches: !isMergeRequest && !trigger.ref.isTag
            case .tags: !isMergeRequest && trigger.ref.isTag
            case .mergeRequests: isMergeRequest
            case .api: trigger.source == .api
            case .pushes: trigger.source == .push
            case .otherSource: false
            // Names and patterns select branch and tag pipelines, as on GitLab.
            case .name(let name): !isMergeRequest && trigger.ref.name == name
            case .regex(let regex): !isMergeRequest && regex.matches(trigger.ref.name)
            }
        }
    }
}
