// slipway — WebUI
// SPDX-License-Identifier: Apache-2.0

import HTTP

/// The frame every page shares — landmarks, navigation, assets — and the headers every page
/// is sent with.
enum Layout {
    /// No inline script or style, nothing from another origin, no framing, forms only to
    /// this server. The script changes styles through the CSSOM, which `style-src` allows.
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    static var securityFields: HTTPFields {
        [
            "Content-Security-Policy": Self.contentSecurityPolicy,
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "same-origin",
            "Cross-Origin-Opener-Policy": "same-origin",
            "Cache-Control": "no-store",
        ]
    }

    /// A complete page. `page` names it for the script (`data-page`); `data` adds further
    /// `data-*` attributes to `<body>` (ids the script subscribes to).
    static func page(
        title: String, page: StaticString, data: [(StaticString, String)] = [], visitor: WebUI.Visitor,
        status: HTTPStatus = .ok, extraFields: HTTPFields = HTTPFields(), content: (inout HTML) -> Void
    ) -> HTTPResponse {
        var html = HTML()
        html.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        html.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
        html.text(title)
        html.raw(" · slipway</title>\n<link rel=\"icon\"")
        html.href(Assets.icon.path)
        html.raw(">\n<link rel=\"stylesheet\"")
        html.href(Assets.style.path)
        html.raw(">\n<script")
        html.attribute("src", Assets.script.path)
        html.raw(" defer></script>\n</head>\n<body")
        html.attribute("data-page", String(describing: page))
        for (name, value) in data {
            html.raw(" ")
            html.raw(name)
            html.raw("=\"")
            html.text(value)
            html.raw("\"")
        }
        html.raw(">\n<a class=\"skip\" href=\"#main\">Skip to content</a>\n<header class=\"top\">\n<nav aria-label=\"Main\">")
        html.raw("<a class=\"brand\" href=\"/pipelines\">slipway</a> <a href=\"/pipelines\">Pipelines</a></nav>\n")
        if visitor.tokensEnabled {
            html.raw("<div class=\"account\">")
            if let name = visitor.signedInAs {
                html.raw("<span>Signed in with token <strong>")
                html.text(name)
                html.raw("</strong></span> ")
                html.raw("<form method=\"post\" action=\"/logout\" class=\"inline\">")
                self.csrfField(visitor, into: &html)
                html.raw("<button type=\"submit\">Sign out</button></form>")
            } else {
                html.raw("<a href=\"/login\">Sign in</a>")
            }
            html.raw("</div>\n")
        }
        html.raw("</header>\n<main id=\"main\" tabindex=\"-1\">\n")
        content(&html)
        html.raw("\n</main>\n<footer class=\"bottom\"><p>slipway · <a href=\"/v1/pipelines\" class=\"api\">JSON API</a></p></footer>\n</body>\n</html>\n")
        var fields = self.securityFields
        fields.append(name: "Content-Type", value: "text/html; charset=utf-8")
        if let cookie = visitor.setCookie { fields.append(name: "Set-Cookie", value: cookie) }
        for field in extraFields { fields.append(name: field.name, value: field.value) }
        return HTTPResponse(status: status, fields: fields, body: ResponseBody(bytes: html.bytes))
    }

    /// The hidden field that carries the visitor's CSRF token.
    static func csrfField(_ visitor: WebUI.Visitor, into html: inout HTML) {
        html.raw("<input type=\"hidden\" name=\"csrf\"")
        html.attribute("value", visitor.csrfToken)
        html.raw(">")
    }

    /// A form with one button that posts to `action` (a path of this server).
    static func button(_ label: StaticString, action: String, visitor: WebUI.Visitor, showWhen: StaticString? = nil, hidden: Bool = false,
                       danger: Bool = false, into html: inout HTML) {
        html.raw("<form method=\"post\" class=\"inline action\"")
        html.attribute("action", action)
        if let showWhen {
            html.raw(" data-show-when=\"")
            html.raw(showWhen)
            html.raw("\"")
        }
        if hidden { html.raw(" hidden") }
        html.raw(">")
        self.csrfField(visitor, into: &html)
        html.raw(danger ? "<button type=\"submit\" class=\"danger\">" : "<button type=\"submit\">")
        html.raw(label)
        html.raw("</button></form>")
    }

    /// `<time datetime="…">…</time>` for an instant, in UTC (the script shows local time).
    static func time(_ rfc3339: String?, into html: inout HTML) {
        guard let rfc3339 else { return html.raw("—") }
        html.raw("<time")
        html.attribute("datetime", rfc3339)
        html.raw(">")
        // 2026-11-29T08:00:00.000Z → 2026-11-29 08:00:00 UTC
        let readable = rfc3339.count >= 19 ? "\(rfc3339.prefix(10)) \(rfc3339.dropFirst(11).prefix(8)) UTC" : rfc3339
        html.text(readable)
        html.raw("</time>")
    }
}

/// Pages for errors (a missing pipeline, a refused action), with the error's status.
enum ErrorPage {
    static func page(_ error: HTTPError, visitor: WebUI.Visitor) -> HTTPResponse {
        var fields = HTTPFields()
        for field in error.fields where field.name.equalsASCIICaseInsensitive("Allow") { fields.append(name: field.name, value: field.value) }
        return Layout.page(title: error.status.reasonPhrase, page: "error", visitor: visitor, status: error.status, extraFields: fields) { html in
            html.raw("<h1>")
            html.text(error.status.reasonPhrase)
            html.raw("</h1>\n<p class=\"problem\">")
            html.text(error.detail)
            html.raw("</p>\n<p><a href=\"/pipelines\">Back to the pipelines</a></p>")
        }
    }

    /// A plain-text answer (assets).
    static func plain(_ status: HTTPStatus, _ text: String) -> HTTPResponse {
        var response = HTTPResponse.text(text, status: status)
        response.fields.append(name: "X-Content-Type-Options", value: "nosniff")
        return response
    }
}
