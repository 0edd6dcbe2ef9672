// slipway — CommitStatus
// SPDX-License-Identifier: Apache-2.0

/// Why a commit status cannot be built or stored, worded for the operator who can fix it.
public struct CommitStatusError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable { case invalidTarget, storage }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The target cannot be posted: a GitLab URL that is not http(s), an empty project,
        /// a sha that is not hexadecimal.
        public static let invalidTarget = Code(.invalidTarget)
        /// The outbox could not read or write its table; ``CommitStatusError/cause`` says why.
        public static let storage = Code(.storage)

        public var description: String { "\(self.value)" }
    }

    public var code: Code
    public var message: String
    public var cause: (any Error)?

    public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String {
        if let cause { return "\(self.message): \(cause)" }
        return self.message
    }
}
