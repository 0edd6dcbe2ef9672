// slipway — DockerGuard
// SPDX-License-Identifier: Apache-2.0

import HTTP

/// A request the guard answers itself instead of passing it to the engine.
///
/// The body is the engine's own error shape, `{"message": "..."}`, so the Docker CLI, Compose
/// and SDKs print the message as they print the engine's.
public struct GuardRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    public var status: HTTPStatus
    /// The rule that refused, for 403s; `nil` for malformed requests and absent objects.
    public var rule: GuardRule?
    public var message: String

    public init(_ status: HTTPStatus, rule: GuardRule? = nil, _ message: String) {
        self.status = status
        self.rule = rule
        self.message = message
    }

    /// A 403 naming `rule` and what to do instead.
    public static func forbidden(_ rule: GuardRule, _ message: String) -> GuardRefusal {
        let hint = rule.isRelaxable ? "rule \(rule.rawValue); an operator can relax it for this project" : "rule \(rule.rawValue)"
        return GuardRefusal(.forbidden, rule: rule, "slipway guard: \(message) (\(hint))")
    }

    /// A 400 for a request the engine's decoder would read differently from the guard, or not at all.
    public static func badRequest(_ message: String) -> GuardRefusal {
        GuardRefusal(.badRequest, "slipway guard: \(message)")
    }

    /// The engine's own 404 wording: what another job owns is absent for this one.
    public static func noSuchContainer(_ reference: String) -> GuardRefusal {
        GuardRefusal(.notFound, "No such container: \(reference)")
    }

    public static func noSuchExec(_ reference: String) -> GuardRefusal {
        GuardRefusal(.notFound, "No such exec instance: \(reference)")
    }

    public static func noSuchVolume(_ reference: String) -> GuardRefusal {
        GuardRefusal(.notFound, "get \(reference): no such volume")
    }

    public static func noSuchNetwork(_ reference: String) -> GuardRefusal {
        GuardRefusal(.notFound, "network \(reference) not found")
    }

    public var description: String { "\(self.status.code): \(self.message)" }

    /// The response body.
    public var body: [UInt8] {
        var output: [UInt8] = Array(#"{"message":"#.utf8)
        JSONTree.writeString(self.message, to: &output)
        output.append(contentsOf: "}\n".utf8)
        return output
    }
}
