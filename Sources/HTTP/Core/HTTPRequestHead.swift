// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

/// The start line and header fields of a request, as received.
public struct HTTPRequestHead: Sendable, Hashable {
    public var method: HTTPMethod
    /// The request target as sent (origin-form `/a?b`, absolute-form `http://h/a`, or `*`).
    public var target: String
    public var version: HTTPVersion
    public var fields: HTTPFields

    public init(method: HTTPMethod, target: String, version: HTTPVersion = .http1_1, fields: HTTPFields = HTTPFields()) {
        self.method = method
        self.target = target
        self.version = version
        self.fields = fields
    }

    /// The path component of the target (percent-encoded, as sent); `*` for asterisk-form.
    public var path: Substring {
        let pathAndQuery = self.originFormTarget
        if let question = pathAndQuery.utf8.firstIndex(of: UInt8(ascii: "?")) { return pathAndQuery[..<question] }
        return pathAndQuery
    }

    /// The query component of the target without the `?`, or `nil` when there is none.
    public var query: Substring? {
        let pathAndQuery = self.originFormTarget
        guard let question = pathAndQuery.utf8.firstIndex(of: UInt8(ascii: "?")) else { return nil }
        return pathAndQuery[pathAndQuery.utf8.index(after: question)...]
    }

    /// The target reduced to origin-form: absolute-form `http://host/p?q` becomes `/p?q`
    /// (RFC 9112 §3.2.2: the absolute-form wins over Host).
    var originFormTarget: Substring {
        let target = Substring(self.target)
        if target.utf8.first == UInt8(ascii: "/") { return target }
        guard let colon = target.utf8.firstIndex(of: UInt8(ascii: ":")), target[colon...].hasPrefix("://") else { return target }
        let afterAuthority = target[target.index(colon, offsetBy: 3)...]
        if let slash = afterAuthority.firstIndex(where: { $0 == "/" || $0 == "?" }) {
            let rest = afterAuthority[slash...]
            return rest.hasPrefix("?") ? "/" + rest : rest
        }
        return "/"
    }
}

extension HTTPRequestHead {
    /// Whether the client asked to keep the connection open after this request: HTTP/1.1
    /// unless `Connection: close`, HTTP/1.0 only with `Connection: keep-alive`.
    public var wantsKeepAlive: Bool {
        let tokens = self.fields.tokens("connection")
        switch self.version {
        case .http1_0: return tokens.contains("keep-alive") && !tokens.contains("close")
        case .http1_1: return !tokens.contains("close")
        case .http2: return true
        }
    }
}
