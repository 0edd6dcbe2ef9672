// slipway — GitLab
// SPDX-License-Identifier: Apache-2.0

/// One entry of a job's `rules:`. The first rule whose `if` holds (or that has none) decides
/// whether and how the job runs; when none does, the job is left out.
public struct CIRule: Sendable, Hashable {
    /// `if:`; `nil` matches always.
    public var condition: RuleExpression?
    /// `when:`; `nil` keeps the job's own `when`.
    public var when: CIWhen?
    public var allowFailure: Bool?
    /// Variables the rule adds to the job when it matches.
    public var variables: [CIVariable]

    public init(condition: RuleExpression? = nil, when: CIWhen? = nil, allowFailure: Bool? = nil, variables: [CIVariable] = []) {
        self.condition = condition
        self.when = when
        self.allowFailure = allowFailure
        self.variables = variables
    }
}
