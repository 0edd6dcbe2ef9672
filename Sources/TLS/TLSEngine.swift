// slipway — TLS
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import COpenSSL

/// One OpenSSL session (`SSL`) whose ciphertext goes through two memory BIOs instead of a
/// descriptor: bytes from the network are handed in with ``receive(_:)``, bytes for the
/// network are taken out with ``takeOutput()``.
///
/// The engine never touches a socket and never blocks, so the socket layer keeps its own
/// deadlines, cancellation and readiness waits (``TLSConnection`` moves the bytes), and the
/// same engine can later serve the accepting side. Every method is synchronous and clears
/// OpenSSL's thread-local error queue before its call, so an error read right after belongs
/// to that call.
struct TLSEngine: ~Copyable, @unchecked Sendable {
    // @unchecked: an OpenSSL session is not thread-safe, and it is used by one thread at a
    // time: the handshake runs in one task before the engine is shared, then TLSConnection
    // keeps it behind its Mutex.
    /// The result of one step of the handshake, a read or a write.
    enum Step<Value: Sendable>: Sendable {
        case done(Value)
        /// OpenSSL needs more bytes from the peer before it can go on.
        case needsInput
        /// The peer ended the session with a close_notify alert.
        case closed
        case failed(TLSError)
    }

    private let ssl: OpaquePointer
    /// Ciphertext received from the peer, for OpenSSL to read.
    private let input: OpaquePointer
    /// Ciphertext OpenSSL produced, for us to send.
    private let output: OpaquePointer
    private let serverName: String
    private let trustRoots: TLSConfiguration.TrustRoots

    /// Creates a client session that will verify the peer's certificate for `serverName` (a
    /// DNS name or an IP address) and send it as SNI when it is a name.
    init(client context: TLSContext, serverName: String) throws(TLSError) {
        ERR_clear_error()
        guard let ssl = SSL_new(context.pointer) else {
            throw TLSError(.configuration, "OpenSSL cannot create a TLS session", openSSLErrors: TLSError.drainOpenSSLErrors())
        }
        guard let input = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            throw TLSError(.configuration, "OpenSSL cannot create a memory BIO", openSSLErrors: TLSError.drainOpenSSLErrors())
        }
        guard let output = BIO_new(BIO_s_mem()) else {
            BIO_free(input)
            SSL_free(ssl)
            throw TLSError(.configuration, "OpenSSL cannot create a memory BIO", openSSLErrors: TLSError.drainOpenSSLErrors())
        }
        // The session owns both BIOs from here on; SSL_free frees them.
        SSL_set_bio(ssl, input, output)
        SSL_set_connect_state(ssl)
        do {
            try Self.expect(serverName, on: ssl)
        } catch {
            SSL_free(ssl)
            throw error
        }
        self.ssl = ssl
        self.input = input
        self.output = output
        self.serverName = serverName
        self.trustRoots = context.configuration.trustRoots
    }

    /// Sets the name the peer's certificate must be valid for, and SNI.
    private static func expect(_ serverName: String, on ssl: OpaquePointer) throws(TLSError) {
        // RFC 6066 §3: "Literal IPv4 and IPv6 addresses are not permitted in HostName", so
        // SNI goes out for names only. SSL_set1_host checks an IP address against the
        // certificate's iPAddress entries and a name against its DNS entries.
        if !Self.isIPAddress(serverName), slipway_SSL_set_tlsext_host_name(ssl, serverName) != 1 {
            throw TLSError(.configuration, "'\(serverName)' cannot be sent as a TLS server name (SNI)", openSSLErrors: TLSError.drainOpenSSLErrors())
        }
        // "*.example.com" matches "a.example.com" only, never "ab*.example.com" patterns
        // (RFC 6125 §7.2 discourages partial wildcards; curl and browsers refuse them too).
        SSL_set_hostflags(ssl, CUnsignedInt(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS))
        guard SSL_set1_host(ssl, serverName) == 1 else {
            throw TLSError(.configuration, "'\(serverName)' cannot be used as the name to verify", openSSLErrors: TLSError.drainOpenSSLErrors())
        }
    }

    deinit {
        SSL_free(self.ssl)
    }

    // MARK: - Handshake

    /// Advances the handshake with the input received so far; take the output afterwards.
    func handshake() -> Step<Void> {
        ERR_clear_error()
        let result = SSL_do_handshake(self.ssl)
        if result == 1 { return .done(()) }
        return self.classify(result, during: "the TLS handshake with \(self.serverName)", failureCode: .handshakeFailed)
    }

    /// The ALPN protocol the server selected, if any.
    var negotiatedProtocol: String? {
        var data: UnsafePointer<UInt8>?
        var length: CUnsignedInt = 0
        SSL_get0_alpn_selected(self.ssl, &data, &length)
        guard let data, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    /// The version the session runs.
    var negotiatedVersion: TLSVersion? {
        TLSVersion(openSSLValue: SSL_version(self.ssl))
    }

    // MARK: - Application data

    /// Decrypts into `buffer` as many bytes as the complete records received so far hold.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Step<Int> {
        var total = 0
        while total < buffer.count {
            ERR_clear_error()
            var count = 0
            let result = SSL_read_ex(self.ssl, buffer.baseAddress! + total, buffer.count - total, &count)
            if result == 1 {
                total += count
                continue
            }
            // SSL_read_ex returns one record at a time; stop at the first that has not fully
            // arrived and hand out what was decrypted.
            if total > 0 { return .done(total) }
            return self.classify(result, during: "reading from \(self.serverName)", failureCode: .protocolError)
        }
        return .done(total)
    }

    /// Encrypts all of `bytes` into the output (a memory BIO grows, so a write never waits).
    func write(_ bytes: UnsafeRawBufferPointer) -> Step<Void> {
        guard !bytes.isEmpty else { return .done(()) }
        ERR_clear_error()
        var written = 0
        let result = SSL_write_ex(self.ssl, bytes.baseAddress!, bytes.count, &written)
        if result == 1 { return .done(()) }
        return self.classify(result, during: "writing to \(self.serverName)", failureCode: .protocolError)
    }

    // MARK: - Ciphertext

    /// Hands bytes received from the peer to OpenSSL.
    func receive(_ ciphertext: [UInt8]) {
        guard !ciphertext.isEmpty else { return }
        // A memory BIO copies and grows; a write to it fails only when memory runs out.
        let written = ciphertext.withUnsafeBytes { BIO_write(self.input, $0.baseAddress!, CInt($0.count)) }
        precondition(written == CInt(ciphertext.count), "BIO_write to a memory BIO failed")
    }

    /// Takes every byte OpenSSL produced for the peer.
    func takeOutput() -> [UInt8] {
        let pending = Int(BIO_ctrl_pending(self.output))
        guard pending > 0 else { return [] }
        let bytes = [UInt8](unsafeUninitializedCapacity: pending) { buffer, count in
            count = Int(max(0, BIO_read(self.output, buffer.baseAddress!, CInt(pending))))
        }
        precondition(bytes.count == pending, "BIO_read from a memory BIO returned less than it holds")
        return bytes
    }

    // MARK: - Errors

    /// Turns a failed call's `SSL_get_error` into a step; must run right after that call.
    private func classify<Value>(_ result: CInt, during operation: String, failureCode: TLSError.Code) -> Step<Value> {
        let error = SSL_get_error(self.ssl, result)
        switch error {
        case SSL_ERROR_WANT_READ:
            return .needsInput
        case SSL_ERROR_ZERO_RETURN:
            return .closed
        default:
            let reasons = TLSError.drainOpenSSLErrors()
            let verifyResult = SSL_get_verify_result(self.ssl)
            if verifyResult != X509_V_OK {
                return .failed(TLSError.certificateRejected(verifyResult, serverName: self.serverName, trustRoots: self.trustRoots, openSSLErrors: reasons))
            }
            // OpenSSL's reasons go into `openSSLErrors` (and the description), not the message twice.
            let detail = reasons.isEmpty ? " (SSL_get_error \(error))" : ""
            return .failed(TLSError(failureCode, "\(operation) failed\(detail)\(Self.advice(for: reasons))", openSSLErrors: reasons))
        }
    }

    /// A hint for the failures people meet most.
    private static func advice(for reasons: [String]) -> String {
        if reasons.contains(where: { $0.contains("protocol version") || $0.contains("unsupported protocol") }) {
            return "; the server offers no TLS version this client accepts (TLS 1.2 or newer)"
        }
        if reasons.contains(where: { $0.contains("wrong version number") || $0.contains("packet length too long") }) {
            return "; the server does not speak TLS on this port (plain HTTP?)"
        }
        if reasons.contains(where: { $0.contains("no application protocol") }) {
            return "; the server supports none of the ALPN protocols offered"
        }
        return ""
    }

    private static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
}
