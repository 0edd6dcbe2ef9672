// slipway — GitLab
// SPDX-License-Identifier: Apache-2.0

/// A `/regex/flags` literal from `rules:if` or `only`/`except`. GitLab compiles these with RE2;
/// slipway uses Swift's `Regex`, which accepts the same syntax for everything CI files
/// commonly use (classes, anchors, alternation, quantifiers, `\d`, `\w`, `\s`).
public struct RulePattern: Sendable, Hashable, CustomStringConvertible {
    /// The pattern between the slashes.
    public var source: String
    /// Any of `i` (ignore case), `m` (multi-line anchors) and `s` (dot matches newline).
    public var flags: String

    /// Validates `source` and `flags`.
    /// - Throws: a message saying what is wrong, for the caller to place in a config error.
    public init(source: String, flags: String = "") throws(PatternError) {
        if let bad = flags.first(where: { !"ims".contains($0) }) {
            throw PatternError(message: "unknown regex flag '\(bad)' in /\(source)/\(flags) (supported: i, m, s)")
        }
        guard !source.isEmpty else { throw PatternError(message: "empty regex //") }
        self.source = source
        self.flags = flags
        do {
            _ = try self.compile()
        } catch {
            throw PatternError(message: "invalid regex /\(source)/\(flags): \(error)")
        }
    }

    /// Reads `/source/flags`, the form a variable holding a pattern has (`$CI_COMMIT_REF_NAME =~ $PATTERN`).
    public init?(literal: String) {
        guard literal.hasPrefix("/"), let end = literal.lastIndex(of: "/"), end > literal.startIndex else { return nil }
        let source = String(literal[literal.index(after: literal.startIndex)..<end])
        let flags = String(literal[literal.index(after: end)...])
        guard let pattern = try? RulePattern(source: source, flags: flags) else { return nil }
        self = pattern
    }

    /// Whether the pattern matches anywhere in `text` (GitLab's `=~` is unanchored).
    public func matches(_ text: String) -> Bool {
        guard let regex = try? self.compile() else { return false }
        return text.contains(regex)
    }

    public var description: String { "/\(self.source)/\(self.flags)" }

    private func compile() throws -> Regex<AnyRegexOutput> {
        let prefix = self.flags.isEmpty ? "" : "(?\(self.flags))"
        return try Regex(prefix + self.source)
    }

    /// Why a pattern was refused.
    public struct PatternError: Error, Sendable {
        public var message: String
    }
}
