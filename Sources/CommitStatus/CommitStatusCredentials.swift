// slipway — CommitStatus
// SPDX-License-Identifier: Apache-2.0

/// Which token posts a status: the project's own (`projects[].status_token`), else the global
/// one (`gitlab.status_token`).
public struct CommitStatusCredentials: Sendable, CustomStringConvertible {
    /// `gitlab.status_token`.
    public var globalToken: GitLabToken?
    /// `projects[].status_token`, keyed by the project's numeric id or its path.
    public var projectTokens: [String: GitLabToken]

    public init(globalToken: GitLabToken? = nil, projectTokens: [String: GitLabToken] = [:]) {
        self.globalToken = globalToken
        self.projectTokens = projectTokens
    }

    /// The token for `target`'s project, or `nil` when none is configured.
    public func token(for target: CommitStatusTarget) -> GitLabToken? {
        if let token = self.projectTokens[target.projectID] { return token }
        if let path = target.projectPath, let token = self.projectTokens[path] { return token }
        return self.globalToken
    }

    public var description: String {
        "CommitStatusCredentials(global: \(self.globalToken == nil ? "none" : "<redacted>"), projects: \(self.projectTokens.keys.sorted()))"
    }
}
