// slipway — GitLab
// SPDX-License-Identifier: Apache-2.0

/// A per-project CI/CD variable from slipway's configuration.
public struct ProjectVariable: Sendable, Hashable {
    public var name: String
    public var value: String
    /// Replace the value with `[MASKED]` wherever it appears in the job's log.
    public var masked: Bool

    public init(name: String, value: String, masked: Bool = false) {
        self.name = name
        self.value = value
        self.masked = masked
    }
}
