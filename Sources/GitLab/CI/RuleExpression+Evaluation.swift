// slipway — GitLab
// SPDX-License-Identifier: Apache-2.0

extension RuleExpression {
    /// Evaluates the condition with `variables` (unset variables are `null`).
    public func evaluate(_ variables: [String: String]) -> Bool {
        switch self {
        case .present(let name):
            return !(variables[name] ?? "").isEmpty
        case .and(let left, let right):
            return left.evaluate(variables) && right.evaluate(variables)
        case .or(let left, let right):
            return left.evaluate(variables) || right.evaluate(variables)
        case .comparison(let left, let op, let right):
            switch op {
            case .equals: return Self.value(left, variables) == Self.value(right, variables)
            case .notEquals: return Self.value(left, variables) != Self.value(right, variables)
            case .matches: return Self.matches(left, right, variables)
            case .notMatches: return !Self.matches(left, right, variables)
            }
        }
    }

    private static func value(_ operand: Operand, _ variables: [String: String]) -> String? {
        switch operand {
        case .variable(let name): variables[name]
        case .string(let value): value
        case .null, .pattern: nil
        }
    }

    private static func matches(_ left: Operand, _ right: Operand, _ variables: [String: String]) -> Bool {
        guard let text = self.value(left, variables) else { return false }
        switch right {
        case .pattern(let pattern):
            return pattern.matches(text)
        case .variable(let name):
            // A variable on the right must hold `/pattern/flags` (GitLab 15.0+).
            guard let literal = variables[name], let pattern = RulePattern(literal: literal) else { return false }
            return pattern.matches(text)
        case .string, .null:
            return false
        }
    }
}
