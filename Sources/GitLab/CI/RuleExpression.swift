// slipway — GitLab
// SPDX-License-Identifier: Apache-2.0

/// A `rules: - if:` condition, parsed once and evaluated per job against its variables.
///
/// The grammar is GitLab's (`Gitlab::Ci::Pipeline::Expression`): `$VAR` (true when set and
/// not empty), comparisons with `==`, `!=`, `=~` and `!~` between variables, `"strings"` or
/// `'strings'`, `null` and `/regex/flags`, joined with `&&` (binding tighter) and `||`, grouped
/// with parentheses.
///
/// ```swift
/// let condition = try RuleExpression.parse(#"$CI_COMMIT_BRANCH == "main" || $CI_COMMIT_TAG =~ /^v\d+/"#)
/// condition.evaluate(["CI_COMMIT_BRANCH": "main"])   // true
/// ```
public indirect enum RuleExpression: Sendable, Hashable {
    /// `$VAR` alone: set and not empty.
    case present(String)
    case comparison(Operand, ComparisonOperator, Operand)
    case and(RuleExpression, RuleExpression)
    case or(RuleExpression, RuleExpression)

    /// One side of a comparison.
    public enum Operand: Sendable, Hashable {
        case variable(String)
        case string(String)
        case null
        case pattern(RulePattern)
    }

    public enum ComparisonOperator: String, Sendable, Hashable {
        case equals = "=="
        case notEquals = "!="
        case matches = "=~"
        case notMatches = "!~"
    }
}
