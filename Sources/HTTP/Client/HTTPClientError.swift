// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

/// Why an HTTP client call failed.
public struct HTTPClientError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case connectFailed, timedOut, connectionClosed, malformedResponse, responseTooLarge, cancelled, io, tls, invalidURL
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The connection could not be established (refused, no such socket, unreachable).
        public static let connectFailed = Code(.connectFailed)
        /// A connect, read or write deadline passed.
        public static let timedOut = Code(.timedOut)
        /// The server closed the connection before the response was complete.
        public static let connectionClosed = Code(.connectionClosed)
        /// The response could not be parsed.
        public static let malformedResponse = Code(.malformedResponse)
        /// A collected body exceeded the caller's limit.
        public static let responseTooLarge = Code(.responseTooLarge)
        public static let cancelled = Code(.cancelled)
        /// A system call failed.
        public static let io = Code(.io)
        /// The TLS handshake failed or the server's certificate was refused; the cause is a
        /// `TLSError` naming the reason (for example `certificate has expired`).
        public static let tls = Code(.tls)
        /// A URL given to the client cannot be used.
        public static let invalidURL = Code(.invalidURL)

        public var description: String { "\(self.value)" }
    }

    public var code: Code
    public var message: String
    public var cause: Error?

    public init(_ code: Code, _ message: String, cause: Error? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String {
        if let cause { return "\(self.message): \(cause)" }
        return self.message
    }
}
