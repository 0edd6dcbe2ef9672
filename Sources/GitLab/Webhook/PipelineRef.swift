// slipway — GitLab
// SPDX-License-Identifier: Apache-2.0

/// The branch or tag a pipeline runs for.
public enum PipelineRef: Sendable, Hashable, CustomStringConvertible {
    case branch(String)
    case tag(String)

    /// Reads a full ref (`refs/heads/feature/x`, `refs/tags/v1.0`); `nil` for anything else.
    public init?(fullRef: String) {
        if fullRef.hasPrefix("refs/heads/") {
            self = .branch(String(fullRef.dropFirst("refs/heads/".count)))
        } else if fullRef.hasPrefix("refs/tags/") {
            self = .tag(String(fullRef.dropFirst("refs/tags/".count)))
        } else {
            return nil
        }
    }

    /// The short name: the branch or tag name (which may contain `/`).
    public var name: String {
        switch self {
        case .branch(let name), .tag(let name): name
        }
    }

    /// `refs/heads/<name>` or `refs/tags/<name>`.
    public var fullRef: String {
        switch self {
        case .branch(let name): "refs/heads/\(name)"
        case .tag(let name): "refs/tags/\(name)"
        }
    }

    public var isTag: Bool {
        if case .tag = self { return true }
        return false
    }

    public var description: String { self.fullRef }
}
