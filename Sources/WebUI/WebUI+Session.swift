// slipway — WebUI
// SPDX-License-Identifier: Apache-2.0

import API
import HTTP

/// Signing in and out, and the checks every form post passes.
extension WebUI {
    /// The sign-in page, `401` (the page a visitor without a session gets instead of the one
    /// asked for). A navigation from another site arrives without the `SameSite=Strict`
    /// cookie even when the browser has one: for that one, the page reloads itself once
    /// (a same-site navigation, which carries the cookie) before asking for a token.
    func signInRequired(_ request: HTTPRequest) -> HTTPResponse {
        let target = Self.localTarget(request.head.target)
        if request.fields["Sec-Fetch-Site"] == "cross-site", request.method == .get {
            var visitor = Visitor(scope: nil, tokensEnabled: true)
            visitor.session = nil
            var fields = HTTPFields()
            fields.append(name: "Refresh", value: "0; url=\(target)")
            return Layout.page(title: "Opening", page: "reload", visitor: visitor, status: .ok, extraFields: fields) { html in
                html.raw("<h1>Opening the page</h1>\n<p><a")
                html.href(target)
                html.raw(">Continue</a></p>")
            }
        }
        return self.loginForm(next: target, problem: nil, status: .unauthorized, request: request)
    }

    func loginPage(_ request: HTTPRequest) -> HTTPResponse {
        let next = Self.localTarget(request.query("next") ?? "/pipelines")
        return self.loginForm(next: next, problem: nil, status: .ok, request: request)
    }

    private func loginForm(next: String, problem: String?, status: HTTPStatus, request: HTTPRequest) -> HTTPResponse {
        // A session before signing in carries the form's CSRF token (login CSRF).
        var visitor = Visitor(session: self.sessions.session(for: request), scope: nil, tokensEnabled: self.access.isEnabled)
        if visitor.session == nil {
            let opened = self.sessions.open(tokenName: nil)
            visitor.session = opened
            visitor.setCookie = self.sessionCookie(opened.id)
        }
        var fields = HTTPFields()
        if status == .unauthorized { fields.append(name: "WWW-Authenticate", value: #"Bearer realm="slipway""#) }
        return Layout.page(title: "Sign in", page: "login", visitor: visitor, status: status, extraFields: fields) { html in
            html.raw("<h1>Sign in</h1>\n")
            if !self.access.isEnabled {
                html.raw("<p>This server has no API tokens configured: every page is open.</p>\n")
            }
            if let problem {
                html.raw("<p class=\"problem\" role=\"alert\">")
                html.text(problem)
                html.raw("</p>\n")
            }
            html.raw("<p>Sign in with one of the server's API tokens (<code>api.tokens</code>): a <code>read</code> token shows pages, ")
            html.raw("<code>submit</code> also cancels and retries jobs, <code>admin</code> also cancels pipelines.</p>\n")
            html.raw("<form method=\"post\" action=\"/login\" class=\"login\">\n")
            Layout.csrfField(visitor, into: &html)
            html.raw("<input type=\"hidden\" name=\"next\"")
            html.attribute("value", next)
            html.raw(">\n<label for=\"token\">API token</label>\n")
            html.raw("<input id=\"token\" name=\"token\" type=\"password\" autocomplete=\"current-password\" required>\n")
            html.raw("<button type=\"submit\">Sign in</button>\n</form>")
        }
    }

    /// `POST /login`: a valid token opens a new session (a new id, so a session id planted
    /// before signing in is worth nothing) and goes to `next`.
    func login(_ request: HTTPRequest) -> HTTPResponse {
        let form: FormBody
        do {
            form = try self.checkedForm(request)
        } catch {
            return ErrorPage.page(error, visitor: Visitor(scope: nil, tokensEnabled: self.access.isEnabled))
        }
        let next = Self.localTarget(form["next"] ?? "/pipelines")
        guard let presented = form["token"], !presented.isEmpty, presented.utf8.count <= 4096,
              let token = self.access.token(presenting: presented)
        else {
            return self.loginForm(next: next, problem: "That token is not valid on this server.", status: .unauthorized, request: request)
        }
        if let old = self.sessions.session(for: request) { self.sessions.close(id: old.id) }
        let session = self.sessions.open(tokenName: token.name)
        var fields = Layout.securityFields
        fields.append(name: "Location", value: next)
        fields.append(name: "Set-Cookie", value: self.sessionCookie(session.id))
        return HTTPResponse(status: .seeOther, fields: fields)
    }

    /// `POST /logout`: ends the session and forgets the cookie.
    func logout(_ request: HTTPRequest) -> HTTPResponse {
        do {
            _ = try self.checkedForm(request)
        } catch {
            return ErrorPage.page(error, visitor: Visitor(scope: nil, tokensEnabled: self.access.isEnabled))
        }
        if let session = self.sessions.session(for: request) { self.sessions.close(id: session.id) }
        var fields = Layout.securityFields
        fields.append(name: "Location", value: "/login")
        fields.append(name: "Set-Cookie", value: self.expiredSessionCookie())
        return HTTPResponse(status: .seeOther, fields: fields)
    }

    // MARK: - Form checks

    /// The fields of a form post that passed the CSRF checks:
    /// - it is `application/x-www-form-urlencoded`;
    /// - the browser does not say it came from another site (`Sec-Fetch-Site`), and its
    ///   `Origin`, when sent, is this server's;
    /// - its `csrf` field equals the CSRF token of the session its cookie names (the cookie is
    ///   `SameSite=Strict`, so another site's form cannot send it, and cannot read the token).
    func checkedForm(_ request: HTTPRequest) throws(HTTPError) -> FormBody {
        let contentType = request.fields["Content-Type"]?.split(separator: ";").first?.trimmingHTTPWhitespace() ?? ""
        guard contentType.equalsASCIICaseInsensitive("application/x-www-form-urlencoded") else {
            throw HTTPError(.unsupportedMediaType, "forms are sent as application/x-www-form-urlencoded")
        }
        if let site = request.fields["Sec-Fetch-Site"], site != "same-origin" {
            throw HTTPError(.forbidden, "this form was sent from another site (Sec-Fetch-Site: \(site.prefix(20))); open the page on this server and use its button")
        }
        if let origin = request.fields["Origin"] {
            let host = request.fields["Host"] ?? ""
            guard !host.isEmpty, origin == "http://\(host)" || origin == "https://\(host)" else {
                throw HTTPError(.forbidden, "this form was sent from another origin; open the page on this server and use its button")
            }
        }
        let form = try FormBody(parsing: request.body)
        guard let session = self.sessions.session(for: request), let presented = form["csrf"],
              BrowserSessions.constantTimeEqual(presented, session.csrfToken)
        else {
            throw HTTPError(.forbidden, "the form's session has expired or its CSRF token does not match; reload the page and try again")
        }
        return form
    }

    /// A path on this server to go to after signing in: anything else (another host, a
    /// scheme, `//host`, control characters) becomes `/pipelines`.
    static func localTarget(_ target: String) -> String {
        guard target.hasPrefix("/"), !target.hasPrefix("//"), !target.hasPrefix("/\\"), target.utf8.count <= 2048,
              target.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\\") }),
              !target.hasPrefix("/login"), !target.hasPrefix("/logout")
        else { return "/pipelines" }
        return target
    }
}

/// An `application/x-www-form-urlencoded` body, decoded.
struct FormBody {
    private(set) var fields: [(name: String, value: String)] = []

    static let maximumFields = 32

    init(parsing body: [UInt8]) throws(HTTPError) {
        guard String(validating: body, as: UTF8.self) != nil else { throw HTTPError(.badRequest, "the form is not UTF-8") }
        for pair in body.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            guard self.fields.count < Self.maximumFields else { throw HTTPError(.badRequest, "the form has too many fields") }
            let equals = pair.firstIndex(of: UInt8(ascii: "=")) ?? pair.endIndex
            guard let name = Self.decode(pair[..<equals]),
                  let value = Self.decode(equals < pair.endIndex ? pair[pair.index(after: equals)...] : [])
            else { throw HTTPError(.badRequest, "the form has a malformed escape") }
            self.fields.append((name, value))
        }
    }

    subscript(name: String) -> String? {
        self.fields.first { $0.name == name }?.value
    }

    /// `+` is a space and `%XX` a byte; nil for a malformed escape or bytes that are not UTF-8.
    static func decode(_ bytes: ArraySlice<UInt8>) -> String? {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "+") {
                output.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.endIndex, let high = self.hex(bytes[index + 1]), let low = self.hex(bytes[index + 2]) else { return nil }
                output.append(high << 4 | low)
                index += 2
            } else {
                output.append(byte)
            }
            index += 1
        }
        return String(validating: output, as: UTF8.self)
    }

    static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }
}
