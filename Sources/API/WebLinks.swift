// slipway — API
// SPDX-License-Identifier: Apache-2.0

import HTTP
import Jobs

/// Where the web pages for people live, and the rule that sends a browser there from the API.
///
/// The JSON stays at `/v1/…`; representations carry the page as `web_url` (relative to the
/// server, as GitLab's `web_url` is to its instance), commit statuses link to it, and a
/// request whose `Accept` header starts with `text/html` — a browser following a link — is
/// redirected to it.
public enum WebLinks {
    public static func job(_ id: JobID) -> String { "/jobs/\(id.rawValue)" }

    public static func pipeline(_ id: Int64) -> String { "/pipelines/\(id)" }

    public static let pipelines = "/pipelines"

    /// `publicURL` (with or without a trailing slash) joined with `path`.
    public static func absolute(_ path: String, publicURL: String) -> String {
        var base = publicURL
        while base.hasSuffix("/") { base.removeLast() }
        return base + path
    }

    /// Whether `request` is a browser navigation: the first media range of its `Accept` is
    /// `text/html` (browsers put it first; `curl` sends `*/*`, API clients JSON).
    public static func wantsPage(_ request: HTTPRequest) -> Bool {
        guard let accept = request.fields["Accept"] else { return false }
        let first = accept.split(separator: ",", maxSplits: 1).first ?? ""
        let range = (first.split(separator: ";", maxSplits: 1).first ?? "").trimmingHTTPWhitespace()
        return range.equalsASCIICaseInsensitive("text/html")
    }

    /// A `303 See Other` to `location` for a browser navigation, else nil.
    public static func redirectIfPage(_ request: HTTPRequest, to location: @autoclosure () -> String?) -> HTTPResponse? {
        guard request.method == .get || request.method == .head, self.wantsPage(request), let location = location() else { return nil }
        return HTTPResponse(status: .seeOther, fields: ["Location": location, "Vary": "Accept", "Cache-Control": "no-store"])
    }

    /// Wraps an API `GET` handler, whatever kind it is, so that a browser navigation is
    /// redirected to its page (`page` maps the request to the page's path; nil: no page,
    /// answer as usual).
    public static func redirectingPages(_ page: @escaping @Sendable (HTTPRequest) -> String?, _ handler: RouteHandler) -> RouteHandler {
        handler.checked { request in Self.redirectIfPage(request, to: page(request)) }
    }

    /// The page of the job a `/v1/jobs/{id}…` request names, if its id is well formed.
    static func jobPage(_ request: HTTPRequest) -> String? {
        request.parameters["id"].flatMap(JobID.init).map(Self.job)
    }

    /// The page of the pipeline a `/v1/pipelines/{id}` request names, if its id is well formed.
    static func pipelinePage(_ request: HTTPRequest) -> String? {
        guard let text = request.parameters["id"], text.utf8.count <= 18, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let id = Int64(text), id > 0 else { return nil }
        return Self.pipeline(id)
    }

    /// `/pipelines` with the list's filters (`project`, `ref`, `cursor`), already encoded.
    static func pipelinesPage(_ request: HTTPRequest) -> String? {
        guard let query = request.head.query, !query.isEmpty else { return Self.pipelines }
        return "\(Self.pipelines)?\(query)"
    }
}
