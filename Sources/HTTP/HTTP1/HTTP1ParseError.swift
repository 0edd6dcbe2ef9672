// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

/// A request that cannot be parsed or framed; the server answers `status` and closes.
public struct HTTP1ParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The status to answer with (400, 408, 413, 414, 431, 501, 505).
    public var status: HTTPStatus
    /// What was wrong, in words a client developer can act on.
    public var reason: String

    public init(_ status: HTTPStatus, _ reason: String) {
        self.status = status
        self.reason = reason
    }

    public var description: String { "\(self.status.code): \(self.reason)" }
}
