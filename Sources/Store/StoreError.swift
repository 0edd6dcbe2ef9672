// slipway — Store
// SPDX-License-Identifier: Apache-2.0

/// A store operation that failed, worded for the operator who can fix it, with its cause (a
/// `SystemError` with its errno, an `SQLiteError`).
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable { case notFound, corruptRow, io, invalidPath }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The row does not exist.
        public static let notFound = Code(.notFound)
        /// A stored value cannot be read back (a newer or damaged database).
        public static let corruptRow = Code(.corruptRow)
        /// A file or directory could not be read or written; ``StoreError/cause`` says why.
        public static let io = Code(.io)
        /// A configured path cannot be used (relative, too long).
        public static let invalidPath = Code(.invalidPath)

        public var description: String { "\(self.value)" }
    }

    public var code: Code
    public var message: String
    public var cause: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String {
        if let cause { return "\(self.message): \(cause)" }
        return self.message
    }
}
