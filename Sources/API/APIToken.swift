// slipway — API
// SPDX-License-Identifier: Apache-2.0

/// A bearer token from the configuration. Its value is never printed: `description` and every
/// error message name the token, not the secret.
public struct APIToken: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// A label for logs and metrics (`ci`, `grafana`).
    public var name: String
    /// The highest scope it holds (scopes nest, see ``APIScope``).
    public var scope: APIScope
    let secret: [UInt8]

    public init(name: String, secret: String, scope: APIScope) {
        self.name = name
        self.secret = Array(secret.utf8)
        self.scope = scope
    }

    public var description: String { "token \(self.name) (\(self.scope.rawValue), value redacted)" }
    public var debugDescription: String { self.description }

    /// Compares `presented` with the secret in time that depends only on `presented`'s length
    /// (which the caller already knows), never on where the first differing byte is.
    func matches(_ presented: [UInt8]) -> Bool {
        guard !self.secret.isEmpty else { return false }
        var difference = UInt(bitPattern: presented.count ^ self.secret.count)
        let secretCount = self.secret.count
        for index in presented.indices {
            difference |= UInt(presented[index] ^ self.secret[index % secretCount])
        }
        return difference == 0
    }
}
