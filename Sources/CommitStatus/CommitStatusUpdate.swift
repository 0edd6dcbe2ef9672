// slipway — CommitStatus
// SPDX-License-Identifier: Apache-2.0

/// One state to post for a target: what goes into the outbox.
public struct CommitStatusUpdate: Sendable, Hashable {
    public var target: CommitStatusTarget
    public var state: CommitState
    /// A short text shown next to the status (GitLab keeps 255 characters).
    public var description: String?
    /// Where the status links to: the job on slipway (`public_url` + `/jobs/{id}`, its page).
    public var targetURL: String?

    public init(target: CommitStatusTarget, state: CommitState, description: String? = nil, targetURL: String? = nil) {
        self.target = target
        self.state = state
        self.description = description
        self.targetURL = targetURL
    }
}
