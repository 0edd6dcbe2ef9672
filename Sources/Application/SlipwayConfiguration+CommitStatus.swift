// slipway — Application
// SPDX-License-Identifier: Apache-2.0

import CommitStatus

/// The commit status settings:
/// ```yaml
/// public_url: https://slipway.example.com   # statuses link to {public_url}/v1/jobs/{id}
/// gitlab:
///   url: https://gitlab.example.com         # or with a relative root: https://example.com/gitlab
///   status_token: glpat-…                    # PRIVATE-TOKEN, api scope, Developer on the projects
///   ca_file: /etc/slipway/gitlab-ca.pem      # only for a private CA; default: the system store
/// status:
///   give_up_after: 24h                       # an undelivered status is dropped at this age
///   retry_initial: 2s                        # first retry delay, doubling …
///   retry_max: 10m                           # … up to this (with jitter)
/// projects:
///   - path: group/name                       # the project's path,
///     id: 42                                 # and/or its numeric id
///     status_token: glpat-…                  # overrides gitlab.status_token for it
/// ```
/// Tokens are ``GitLabToken`` values: printing the configuration shows `<redacted>`.
extension SlipwayConfiguration {
    /// The `gitlab:` section.
    public struct GitLabSettings: Sendable {
        /// The instance statuses are posted to; `nil`: no reporting.
        public var url: String?
        /// `gitlab.status_token`: used for projects without a token of their own.
        public var statusToken: GitLabToken?
        /// PEM certificates of the CA that issued GitLab's certificate; `nil`: the system store.
        public var caFile: String?
        public init() {}
    }

    /// The `status:` section.
    public struct StatusSettings: Sendable {
        /// Backoff, jitter and the give-up age.
        public var retry = RetryPolicy()
        public init() {}
    }

    /// One entry of `projects:`.
    public struct ProjectSettings: Sendable {
        /// The project's path, `group/name`.
        public var path: String?
        /// The project's numeric GitLab id.
        public var id: String?
        /// `projects[].status_token`.
        public var statusToken: GitLabToken?
        public init(path: String? = nil, id: String? = nil, statusToken: GitLabToken? = nil) {
            self.path = path
            self.id = id
            self.statusToken = statusToken
        }
    }

    /// The tokens by project (id and path) and the global one.
    public var commitStatusCredentials: CommitStatusCredentials {
        var credentials = CommitStatusCredentials(globalToken: self.gitlab.statusToken)
        for project in self.projects {
            guard let token = project.statusToken else { continue }
            if let path = project.path { credentials.projectTokens[path] = token }
            if let id = project.id { credentials.projectTokens[id] = token }
        }
        return credentials
    }

    mutating func applyCommitStatus(_ root: ConfigNode) throws {
        if let value = root["public_url"] {
            let text = try value.string()
            let lower = text.lowercased()
            guard lower.hasPrefix("https://") || lower.hasPrefix("http://") else {
                throw ConfigurationError("public_url: '\(text)' must be an http:// or https:// URL")
            }
            self.publicURL = text
        }
        if let gitlab = root["gitlab"] {
            try gitlab.allowOnly(["url", "status_token", "ca_file"])
            if let value = gitlab["url"] {
                let text = try value.string()
                do {
                    _ = try CommitStatusRequest(CommitStatusUpdate(
                        target: CommitStatusTarget(gitlabURL: text, projectID: "1", sha: "0000000", ref: "main", name: "probe"), state: .pending))
                } catch {
                    throw ConfigurationError("gitlab.url: \(error.message)")
                }
                self.gitlab.url = text
            }
            if let value = gitlab["status_token"] { self.gitlab.statusToken = try Self.token(value) }
            if let value = gitlab["ca_file"] { self.gitlab.caFile = try value.string() }
        }
        if let status = root["status"] {
            try status.allowOnly(["give_up_after", "retry_initial", "retry_max"])
            if let value = status["give_up_after"] { self.status.retry.giveUpAfter = try value.duration() }
            if let value = status["retry_initial"] { self.status.retry.initialDelay = try value.duration() }
            if let value = status["retry_max"] { self.status.retry.maximumDelay = try value.duration() }
            guard self.status.retry.initialDelay > .zero, self.status.retry.maximumDelay >= self.status.retry.initialDelay else {
                throw ConfigurationError("status: retry_initial must be above zero and at most retry_max")
            }
        }
        if let projects = root["projects"] {
            guard let list = projects.node.sequence else { throw ConfigurationError("projects: expected a list of projects") }
            self.projects = try list.enumerated().map { index, element in
                let node = try ConfigNode(element, path: "projects[\(index)]")
                try node.allowOnly(["path", "id", "status_token"])
                var project = ProjectSettings()
                if let value = node["path"] { project.path = try value.string() }
                if let value = node["id"] { project.id = String(try value.integer(in: 1...Int.max)) }
                guard project.path != nil || project.id != nil else { throw ConfigurationError("\(node.path): give the project's path or id") }
                if let value = node["status_token"] { project.statusToken = try Self.token(value) }
                return project
            }
        }
    }

    /// A token value; the error never quotes it.
    private static func token(_ node: ConfigNode) throws -> GitLabToken {
        guard let scalar = node.node.scalar, !scalar.string.isEmpty else {
            throw ConfigurationError("\(node.path): expected a non-empty token")
        }
        guard !scalar.string.contains(where: { $0.isNewline || $0 == "\0" }) else {
            throw ConfigurationError("\(node.path): the token contains a line break or NUL (not shown)")
        }
        return GitLabToken(scalar.string)
    }
}
