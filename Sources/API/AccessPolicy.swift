// slipway — API
// SPDX-License-Identifier: Apache-2.0

import HTTP

/// Who may call what: `Authorization: Bearer …` tokens with scopes, and optionally anonymous
/// reads. With no tokens configured every endpoint is open (a single-user install on
/// localhost); configure at least one token to turn authentication on.
///
/// A browser session (``BrowserSessions``) opened with a token counts as that token on `GET`
/// and `HEAD` only: a page's `EventSource` and log reads work with the cookie, while every
/// request that changes something still needs the `Authorization` header, so no API endpoint
/// can be reached by a cross-site form.
public struct AccessPolicy: Sendable {
    public var tokens: [APIToken]
    /// Whether callers without a token may use `read` endpoints (when tokens are configured).
    public var anonymousRead: Bool
    /// The web pages' sessions, whose cookie stands for their token on safe methods.
    public var sessions: BrowserSessions?

    public init(tokens: [APIToken] = [], anonymousRead: Bool = false, sessions: BrowserSessions? = nil) {
        self.tokens = tokens
        self.anonymousRead = anonymousRead
        self.sessions = sessions
    }

    /// The token a browser session was opened with, if it is still configured.
    public func token(named name: String?) -> APIToken? {
        guard let name else { return nil }
        return self.tokens.first { $0.name == name }
    }

    /// The token whose secret is `presented`, compared with every token as ``authorize(_:for:)``
    /// does.
    public func token(presenting presented: String) -> APIToken? {
        let bytes = Array(presented.utf8)
        var matched: APIToken?
        for token in self.tokens where token.matches(bytes) && matched == nil { matched = token }
        return matched
    }

    /// The scope a browser session holds: everything without tokens, its token's scope, or
    /// nothing (`nil`) — anonymous readers get `read` through ``anonymousRead``.
    public func scope(of session: BrowserSessions.Session?) -> APIScope? {
        guard self.isEnabled else { return .admin }
        return self.token(named: session?.tokenName)?.scope ?? (self.anonymousRead ? .read : nil)
    }

    /// Every endpoint open to everyone.
    public static let open = AccessPolicy()

    /// Whether tokens are required at all.
    public var isEnabled: Bool { !self.tokens.isEmpty }

    /// Checks `request` for `scope`: 401 without a valid token, 403 with too little scope.
    /// - Returns: the name of the token used, or `nil` for an anonymous or open call.
    @discardableResult
    public func authorize(_ request: HTTPRequest, for scope: APIScope) throws(HTTPError) -> String? {
        guard self.isEnabled else { return nil }
        guard let header = request.fields["Authorization"] else {
            if request.method == .get || request.method == .head, let sessions = self.sessions,
               let session = sessions.session(for: request), let token = self.token(named: session.tokenName) {
                guard token.scope.grants(scope) else {
                    throw HTTPError(.forbidden, "token \(token.name) has the \(token.scope.rawValue) scope; this endpoint needs \(scope.rawValue)",
                                    type: "https://slipway.dev/problems/insufficient-scope")
                }
                return token.name
            }
            if scope == .read && self.anonymousRead { return nil }
            throw HTTPError(.unauthorized, "this endpoint needs a token with the \(scope.rawValue) scope: send Authorization: Bearer <token>",
                            type: "https://slipway.dev/problems/unauthorized", fields: ["WWW-Authenticate": #"Bearer realm="slipway""#])
        }
        guard let presented = Self.bearerToken(header) else {
            throw HTTPError(.unauthorized, "the Authorization header must be 'Bearer <token>'", type: "https://slipway.dev/problems/unauthorized",
                            fields: ["WWW-Authenticate": #"Bearer realm="slipway", error="invalid_request""#])
        }
        // Every token is compared, matched or not, so timing does not tell how many exist or
        // which one came close.
        var matched: APIToken?
        for token in self.tokens where token.matches(presented) && matched == nil { matched = token }
        guard let matched else {
            throw HTTPError(.unauthorized, "the token is not valid", type: "https://slipway.dev/problems/unauthorized",
                            fields: ["WWW-Authenticate": #"Bearer realm="slipway", error="invalid_token""#])
        }
        guard matched.scope.grants(scope) else {
            throw HTTPError(.forbidden, "token \(matched.name) has the \(matched.scope.rawValue) scope; this endpoint needs \(scope.rawValue)",
                            type: "https://slipway.dev/problems/insufficient-scope",
                            fields: ["WWW-Authenticate": "Bearer realm=\"slipway\", error=\"insufficient_scope\", scope=\"\(scope.rawValue)\""])
        }
        return matched.name
    }

    /// The token of a `Bearer` credential (the scheme is case-insensitive, RFC 6750 §2.1).
    static func bearerToken(_ header: String) -> [UInt8]? {
        let bytes = Array(header.utf8)
        guard bytes.count > 7, String(decoding: bytes[0..<6], as: UTF8.self).lowercased() == "bearer", bytes[6] == UInt8(ascii: " ") else {
            return nil
        }
        var token = bytes[7...]
        while token.first == UInt8(ascii: " ") { token = token.dropFirst() }
        while token.last == UInt8(ascii: " ") { token = token.dropLast() }
        return token.isEmpty ? nil : Array(token)
    }

    /// Wraps `handler`, whatever kind it is, so that it runs only for callers holding `scope`;
    /// an immediate handler stays immediate (the check compares a header with a few tokens).
    public func guarding(_ scope: APIScope, _ handler: RouteHandler) -> RouteHandler {
        let policy = self
        return handler.checked { request in
            try policy.authorize(request, for: scope)
            return nil
        }
    }

    /// The same, for a handler that runs as a task.
    public func guarding(_ scope: APIScope, _ handler: @escaping @Sendable (HTTPRequest) async throws -> HTTPResponse) -> RouteHandler {
        self.guarding(scope, .async(handler))
    }
}
