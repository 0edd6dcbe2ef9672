// slipway — Application
// SPDX-License-Identifier: Apache-2.0

import CommitStatus

/// The commit status settings:
/// ```yaml
/// public_url: https://slipway.example.com   # statuses link to the job page {public_url}/jobs/{id}
/// gitlab:
///   url: https://gitlab.example.com         # or with a relative root: https://example.com/gitlab
///   status_token: glpat-…                    # PRIVATE-TOKEN, api scope, Developer on the projects
///   ca_file: /etc/slipway/gitlab-ca.pem      # only for a private CA; default: the system store
/// status:
///   give_up_after: 24h                       # an undelivered status is dropped at this age
///   retry_initial: 2s                        # first retry delay, doubling …
///   retry_max: 10m                           # … up to this (with jitter)
/// projects:
///   - path: group/name                       # (with its webhook settings, see ProjectConfiguration)
///     status_token: glpat-…                  # overrides gitlab.status_token for it
/// ```
/// Tokens are ``GitLabToken`` values: printing the configuration shows `<redacted>`.
extension SlipwayConfiguration {
    /// The `status:` section.
    public struct StatusSettings: Sendable {
        /// Backoff, jitter and the give-up age.
        public var retry = RetryPolicy()
        public init() {}
    }

    /// The tokens by project (id and path) and the global one.
    public var commitStatusCredentials: CommitStatusCredentials {
        var credentials = CommitStatusCredentials(globalToken: self.gitlab.statusToken)
        for project in self.projects {
            guard let token = project.statusToken else { continue }
            credentials.projectTokens[project.path] = token
            if let id = project.settings.id { credentials.projectTokens[String(id)] = token }
        }
        return credentials
    }

    /// `public_url` and `status:` (`gitlab:` and `projects:` are read with the webhook settings).
    mutating func applyCommitStatus(_ root: ConfigNode) throws {
        if let value = root["public_url"] {
            let text = try value.string()
            let lower = text.lowercased()
            guard lower.hasPrefix("https://") || lower.hasPrefix("http://") else {
                throw ConfigurationError("public_url: '\(text)' must be an http:// or https:// URL")
            }
            self.publicURL = text
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
    }

    /// A token value; the error never quotes it.
    static func token(_ node: ConfigNode) throws -> GitLabToken {
        guard let text = node.node.string, !text.isEmpty else {
            throw ConfigurationError("\(node.path): expected a non-empty token")
        }
        guard !text.contains(where: { $0.isNewline || $0 == "\0" }) else {
            throw ConfigurationError("\(node.path): the token contains a line break or NUL (not shown)")
        }
        return GitLabToken(text)
    }
}
