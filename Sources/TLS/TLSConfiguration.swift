// slipway — TLS
// SPDX-License-Identifier: Apache-2.0

/// What a TLS endpoint accepts: which certificates it trusts, which versions and application
/// protocols it offers, and how long a handshake may take.
///
/// A configuration is plain data; ``TLSContext`` turns it into an OpenSSL context once (loading
/// the trust store), and every ``TLSConnection`` shares that context. The defaults are the
/// safe ones: the system's CA store, TLS 1.2 or newer, `http/1.1` offered through ALPN.
///
/// ```swift
/// var tls = TLSConfiguration()
/// tls.trustRoots = .file("/etc/slipway/gitlab-ca.pem")
/// let context = try TLSContext(client: tls)
/// ```
///
/// Only client settings exist today; serving TLS will add the certificate chain and private
/// key here and a server initializer to ``TLSContext``, and reuse the rest.
public struct TLSConfiguration: Sendable, Hashable {
    /// The certificate authorities a peer's certificate must chain up to.
    public enum TrustRoots: Sendable, Hashable, CustomStringConvertible {
        /// The operating system's store (Debian: `/etc/ssl/certs`, from `ca-certificates`).
        /// OpenSSL's `SSL_CERT_FILE` and `SSL_CERT_DIR` environment variables override it.
        case system
        /// Only the PEM certificates in this file (a private CA, for example); the system
        /// store is not consulted.
        case file(String)

        public var description: String {
            switch self {
            case .system: "the system CA store"
            case .file(let path): "the CA file \(path)"
            }
        }
    }

    /// Whose certificates are trusted. Default: ``TrustRoots/system``.
    public var trustRoots: TrustRoots = .system
    /// The oldest version offered. Default and floor: TLS 1.2.
    public var minimumVersion: TLSVersion = .tls1_2
    /// The newest version offered; `nil` for the newest OpenSSL supports (TLS 1.3).
    public var maximumVersion: TLSVersion?
    /// Application protocols offered through ALPN, most preferred first. Default: `http/1.1`.
    /// A server that picks none of them (or ignores ALPN) is still accepted; one that picks a
    /// protocol not offered makes the handshake fail.
    public var applicationProtocols: [String] = ["http/1.1"]
    /// The time from the first handshake byte sent to a verified, established session.
    public var handshakeTimeout: Duration = .seconds(10)

    public init() {}
}
