// slipway — CommitStatus
// SPDX-License-Identifier: Apache-2.0

/// A GitLab access token (`PRIVATE-TOKEN`), kept out of every text slipway produces.
///
/// Its `description`, `debugDescription` and mirror all say `<redacted>`, so a token that
/// ends up in a log line, an error message or a `dump` of the configuration reveals nothing.
/// Only ``value`` gives it out, and only the request header should read it.
public struct GitLabToken: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The token itself: for the `PRIVATE-TOKEN` header only.
    public let value: String

    /// - Precondition: not empty (configuration parsing refuses empty tokens).
    public init(_ value: String) {
        precondition(!value.isEmpty, "a GitLab token cannot be empty")
        self.value = value
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "GitLabToken(<redacted>)" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
