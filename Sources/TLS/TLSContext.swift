// slipway — TLS
// SPDX-License-Identifier: Apache-2.0

import COpenSSL

/// An OpenSSL context (`SSL_CTX`) built from a ``TLSConfiguration``: the trust store, the
/// version range and the ALPN list, shared by every ``TLSConnection`` made with it.
///
/// Build one per configuration and keep it: creating it reads the CA file or the system store
/// from disk (a few milliseconds), which is why this happens at set-up time and not per
/// connection.
public final class TLSContext: @unchecked Sendable {
    // @unchecked: the SSL_CTX is configured in init and never changed afterwards; OpenSSL
    // allows one context to be shared by SSL objects on any number of threads.

    /// Which side of the handshake connections made with this context take.
    enum Role {
        case client
    }

    /// The configuration the context was built from.
    public let configuration: TLSConfiguration
    let role: Role
    let pointer: OpaquePointer

    /// Builds a client context: peer verification on (`SSL_VERIFY_PEER`), trust roots loaded,
    /// versions limited, ALPN list set.
    ///
    /// - Throws: ``TLSError`` with code ``TLSError/Code/configuration`` when the CA file cannot
    ///   be loaded or a setting is invalid; the message names the setting.
    public init(client configuration: TLSConfiguration) throws(TLSError) {
        ERR_clear_error()
        guard let pointer = SSL_CTX_new(TLS_client_method()) else {
            throw TLSError(.configuration, "OpenSSL cannot create a TLS context", openSSLErrors: TLSError.drainOpenSSLErrors())
        }
        self.pointer = pointer
        self.configuration = configuration
        self.role = .client
        // From here on, a throw runs deinit, which frees the context.
        try self.configureVersions()
        _ = SSL_CTX_set_options(pointer, slipway_context_options())
        // SSL_VERIFY_PEER on a client: "the server certificate is verified. If the
        // verification process fails, the TLS/SSL handshake is immediately terminated with an
        // alert message" (SSL_CTX_set_verify(3)). No callback: OpenSSL's verdict stands.
        SSL_CTX_set_verify(pointer, SSL_VERIFY_PEER, nil)
        try self.loadTrustRoots()
        try self.configureALPN()
    }

    deinit {
        SSL_CTX_free(self.pointer)
    }

    private func configureVersions() throws(TLSError) {
        let minimum = self.configuration.minimumVersion
        if let maximum = self.configuration.maximumVersion, maximum < minimum {
            throw TLSError(.configuration, "the TLS maximum version (\(maximum)) is older than the minimum (\(minimum))")
        }
        guard slipway_SSL_CTX_set_min_proto_version(self.pointer, minimum.openSSLValue) == 1,
              slipway_SSL_CTX_set_max_proto_version(self.pointer, self.configuration.maximumVersion?.openSSLValue ?? 0) == 1
        else {
            throw TLSError(.configuration, "OpenSSL refused the TLS version range", openSSLErrors: TLSError.drainOpenSSLErrors())
        }
    }

    private func loadTrustRoots() throws(TLSError) {
        switch self.configuration.trustRoots {
        case .system:
            guard SSL_CTX_set_default_verify_paths(self.pointer) == 1 else {
                throw TLSError(
                    .configuration, "cannot load the system CA store; install the ca-certificates package",
                    openSSLErrors: TLSError.drainOpenSSLErrors()
                )
            }
        case .file(let path):
            guard SSL_CTX_load_verify_file(self.pointer, path) == 1 else {
                throw TLSError(
                    .configuration, "cannot load the CA file \(path); it must exist, be readable and hold PEM certificates",
                    openSSLErrors: TLSError.drainOpenSSLErrors()
                )
            }
        }
    }

    private func configureALPN() throws(TLSError) {
        let protocols = self.configuration.applicationProtocols
        guard !protocols.isEmpty else { return }
        // The wire format (RFC 7301 §3.1): each name preceded by its length in one byte.
        var wire: [UInt8] = []
        for name in protocols {
            let bytes = Array(name.utf8)
            guard (1...255).contains(bytes.count) else {
                throw TLSError(.configuration, "the ALPN protocol name '\(name)' must be 1 to 255 bytes long")
            }
            wire.append(UInt8(bytes.count))
            wire.append(contentsOf: bytes)
        }
        // Unlike most of OpenSSL, SSL_CTX_set_alpn_protos returns 0 on success.
        guard SSL_CTX_set_alpn_protos(self.pointer, wire, CUnsignedInt(wire.count)) == 0 else {
            throw TLSError(.configuration, "OpenSSL refused the ALPN protocol list \(protocols)", openSSLErrors: TLSError.drainOpenSSLErrors())
        }
    }
}
