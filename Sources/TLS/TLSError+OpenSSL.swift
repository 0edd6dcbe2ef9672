// slipway — TLS
// SPDX-License-Identifier: Apache-2.0

import COpenSSL

extension TLSError {
    /// Takes every entry from OpenSSL's error queue, oldest first, as reason strings.
    ///
    /// The queue belongs to the calling thread, so this must run on the thread of the call
    /// that failed, before any other OpenSSL call there (every caller does both inside one
    /// synchronous section). `ERR_clear_error` before each call keeps old entries out.
    static func drainOpenSSLErrors() -> [String] {
        var reasons: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            if let reason = ERR_reason_error_string(code) {
                reasons.append(String(cString: reason))
            } else {
                var buffer = [CChar](repeating: 0, count: 256)
                ERR_error_string_n(code, &buffer, buffer.count)
                reasons.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
        }
        return reasons
    }

    /// The error for a refused certificate, with advice matching the verification result.
    static func certificateRejected(_ result: Int, serverName: String, trustRoots: TLSConfiguration.TrustRoots, openSSLErrors: [String]) -> TLSError {
        let reason = X509_verify_cert_error_string(result).map { String(cString: $0) } ?? "verification error \(result)"
        let advice: String
        switch CInt(result) {
        case X509_V_ERR_CERT_HAS_EXPIRED:
            advice = "the server must renew its certificate (or this machine's clock is wrong)"
        case X509_V_ERR_CERT_NOT_YET_VALID:
            advice = "check this machine's clock"
        case X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH:
            advice = "the certificate was issued for another name; connect using a name the certificate lists"
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT,
             X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
            advice = "its issuer is not in \(trustRoots); configure the CA file of the authority that issued it"
        default:
            advice = "the connection was closed before any request was sent"
        }
        return TLSError(
            .certificateRejected,
            "the certificate of \(serverName) was refused: \(reason); \(advice)",
            openSSLErrors: openSSLErrors,
            verifyFailure: VerifyFailure(code: result, reason: reason)
        )
    }
}
