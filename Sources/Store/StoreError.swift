// slipway — Store
// SPDX-License-Identifier: Apache-2.0

import Jobs

/// A store operation that failed, with the cause (an `SQLiteError`, a decoding error).
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public enum Code: Sendable, Hashable {
        /// The row does not exist.
        case notFound
        /// A stored value cannot be read back (a newer or damaged database).
        case corruptRow
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { self.message }
}
