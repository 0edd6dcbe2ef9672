// slipway — TLS
// SPDX-License-Identifier: Apache-2.0

import COpenSSL

/// A TLS protocol version slipway is willing to speak.
///
/// Nothing below TLS 1.2 is offered: TLS 1.0 and 1.1 are deprecated (RFC 8996), and a server
/// that speaks nothing newer is refused during the handshake.
public enum TLSVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    case tls1_2
    case tls1_3

    /// The version number OpenSSL uses (`TLS1_2_VERSION`, `TLS1_3_VERSION`).
    var openSSLValue: CInt {
        switch self {
        case .tls1_2: TLS1_2_VERSION
        case .tls1_3: TLS1_3_VERSION
        }
    }

    init?(openSSLValue: CInt) {
        switch openSSLValue {
        case TLS1_2_VERSION: self = .tls1_2
        case TLS1_3_VERSION: self = .tls1_3
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .tls1_2: "TLS 1.2"
        case .tls1_3: "TLS 1.3"
        }
    }
}
