// slipway — TLS
// SPDX-License-Identifier: Apache-2.0

/// Why a TLS context could not be set up or a TLS session failed.
///
/// ``message`` says what happened and what to check; ``openSSLErrors`` holds OpenSSL's own
/// reasons from its error queue, and ``verifyFailure`` the certificate verification result
/// when the peer's certificate was refused:
/// ```swift
/// catch let error as TLSError where error.code == .certificateRejected {
///     print(error.verifyFailure?.reason)   // "certificate has expired"
/// }
/// ```
public struct TLSError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case configuration, certificateRejected, handshakeFailed, timedOut, connectionClosed, protocolError, io, cancelled
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The configuration cannot be used: the CA file is missing or holds no certificate,
        /// an ALPN name is invalid, the versions contradict each other.
        public static let configuration = Code(.configuration)
        /// The peer's certificate failed verification (untrusted issuer, expired, issued for
        /// another name); ``TLSError/verifyFailure`` names the reason.
        public static let certificateRejected = Code(.certificateRejected)
        /// The handshake failed for another reason: no common version or cipher, an alert
        /// from the peer, an ALPN protocol that was not offered.
        public static let handshakeFailed = Code(.handshakeFailed)
        /// The handshake did not finish within the configured time.
        public static let timedOut = Code(.timedOut)
        /// The peer closed the connection during the handshake.
        public static let connectionClosed = Code(.connectionClosed)
        /// The established session received something invalid (a bad record, a fatal alert).
        public static let protocolError = Code(.protocolError)
        /// The socket under the session failed; ``TLSError/cause`` holds its error.
        public static let io = Code(.io)
        /// The task performing the handshake was cancelled.
        public static let cancelled = Code(.cancelled)

        public var description: String { "\(self.value)" }
    }

    /// The outcome of certificate verification (`SSL_get_verify_result`) when it failed.
    public struct VerifyFailure: Sendable, Hashable, CustomStringConvertible {
        /// OpenSSL's `X509_V_ERR_*` code, for example 10 (`X509_V_ERR_CERT_HAS_EXPIRED`).
        public var code: Int
        /// OpenSSL's text for ``code`` (`X509_verify_cert_error_string`), for example
        /// `certificate has expired`.
        public var reason: String

        public init(code: Int, reason: String) {
            self.code = code
            self.reason = reason
        }

        public var description: String { "\(self.reason) (X509 verify error \(self.code))" }
    }

    public var code: Code
    /// What went wrong and what to check.
    public var message: String
    /// The reasons OpenSSL queued for the failing call, oldest first, for example
    /// `["certificate verify failed"]`.
    public var openSSLErrors: [String]
    /// Set when ``code`` is ``Code/certificateRejected``.
    public var verifyFailure: VerifyFailure?
    /// The underlying error, for example the socket's.
    public var cause: (any Error)?

    public init(_ code: Code, _ message: String, openSSLErrors: [String] = [], verifyFailure: VerifyFailure? = nil, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.openSSLErrors = openSSLErrors
        self.verifyFailure = verifyFailure
        self.cause = cause
    }

    public var description: String {
        var text = self.message
        if !self.openSSLErrors.isEmpty { text += " [OpenSSL: \(self.openSSLErrors.joined(separator: "; "))]" }
        if let cause { text += ": \(cause)" }
        return text
    }
}
