// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

import Sockets

/// The scheme, host and port of an `http://` or `https://` URL: where an ``HTTPClient``
/// connects and which name a TLS server must prove.
///
/// ```swift
/// let origin = try HTTPOrigin(parsing: "https://gitlab.example.com")   // port 443
/// ```
public struct HTTPOrigin: Sendable, Hashable, CustomStringConvertible {
    public enum Scheme: String, Sendable, Hashable {
        case http
        case https

        /// 80 or 443.
        public var defaultPort: UInt16 {
            switch self {
            case .http: 80
            case .https: 443
            }
        }
    }

    public var scheme: Scheme
    /// The host as written, without brackets for IPv6: a name, an IPv4 or an IPv6 address.
    public var host: String
    public var port: UInt16

    public init(scheme: Scheme, host: String, port: UInt16? = nil) {
        self.scheme = scheme
        self.host = host
        self.port = port ?? scheme.defaultPort
    }

    /// Parses `http[s]://HOST[:PORT][/]`. A path other than `/`, a query or user
    /// information is refused: an origin names a server, requests carry their own targets.
    ///
    /// - Throws: ``HTTPClientError`` with code ``HTTPClientError/Code/invalidURL``.
    public init(parsing text: String) throws(HTTPClientError) {
        let scheme: Scheme
        let rest: Substring
        if text.lowercased().hasPrefix("https://") {
            scheme = .https
            rest = text.dropFirst("https://".count)
        } else if text.lowercased().hasPrefix("http://") {
            scheme = .http
            rest = text.dropFirst("http://".count)
        } else {
            throw Self.invalid(text, "it must start with http:// or https://")
        }
        var authority = rest
        if let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) {
            guard rest[slash...] == "/" else { throw Self.invalid(text, "give only scheme, host and port (no path, query or fragment)") }
            authority = rest[..<slash]
        }
        guard !authority.contains("@") else { throw Self.invalid(text, "user information (user@) is not supported") }
        let host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw Self.invalid(text, "missing ']' after the IPv6 address") }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw Self.invalid(text, "expected ':PORT' after ']'") }
                portText = after.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        guard !host.isEmpty else { throw Self.invalid(text, "the host is empty") }
        var port: UInt16?
        if let portText {
            guard !portText.isEmpty, portText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = UInt16(portText), value > 0 else {
                throw Self.invalid(text, "the port must be a number from 1 to 65535")
            }
            port = value
        }
        self.init(scheme: scheme, host: String(host).lowercased(), port: port)
    }

    /// The address to connect to when ``host`` is numeric or `localhost`; `nil` for a name
    /// that needs resolving.
    public var numericAddress: SocketAddress? {
        let bracketed = self.host.contains(":") ? "[\(self.host)]" : self.host
        return try? SocketAddress(parsing: "\(bracketed):\(self.port)")
    }

    /// The value of the Host header (RFC 9110 §7.2): the port only when it is not the
    /// scheme's default.
    public var authority: String {
        let host = self.host.contains(":") ? "[\(self.host)]" : self.host
        return self.port == self.scheme.defaultPort ? host : "\(host):\(self.port)"
    }

    public var description: String { "\(self.scheme.rawValue)://\(self.authority)" }

    private static func invalid(_ text: String, _ reason: String) -> HTTPClientError {
        HTTPClientError(.invalidURL, "invalid URL '\(text)': \(reason)")
    }
}
