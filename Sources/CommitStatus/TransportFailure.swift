// slipway — CommitStatus
// SPDX-License-Identifier: Apache-2.0

/// Why no answer came from GitLab, as far as deciding what to do next goes.
public enum TransportFailure: Sendable, Hashable {
    /// Connecting, sending or waiting for the answer took too long.
    case timedOut(String)
    /// The connection was refused, reset or closed early; the name did not resolve.
    case connectionFailed(String)
    /// The TLS handshake failed or GitLab's certificate was refused; the text names the reason
    /// (for example `certificate has expired`).
    case tls(String)
}
