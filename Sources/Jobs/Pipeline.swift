// slipway — Jobs
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials

/// A pipeline: the jobs one push, tag push or merge request event started for a project at a
/// commit. Its status is never stored; it is computed from its jobs (``PipelineStatus``).
public struct Pipeline: Sendable, Hashable {
    /// Assigned by the store; jobs refer to it through ``JobSpecification/pipelineID``.
    public var id: Int64
    /// The project (`group/name`).
    public var project: String
    /// The branch or tag.
    public var ref: String
    /// The commit, when known.
    public var sha: String?
    /// What started it, in GitLab's vocabulary (`push`, `tag_push`, `merge_request_event`, `api`).
    public var source: String
    public var createdAt: Date

    public init(id: Int64, project: String, ref: String, sha: String? = nil, source: String = "push", createdAt: Date) {
        self.id = id
        self.project = project
        self.ref = ref
        self.sha = sha
        self.source = source
        self.createdAt = createdAt
    }
}
