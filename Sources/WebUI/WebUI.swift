// slipway — WebUI
// SPDX-License-Identifier: Apache-2.0

import API
import HTTP
import Jobs

/// The web pages for people: recent pipelines (`/`, `/pipelines`), a pipeline's stages
/// (`/pipelines/{id}`) and a job with its log (`/jobs/{id}`).
///
/// Pages are rendered on the server from the store's read port (``Jobs/JobCatalog``) and work
/// without JavaScript; a small script (``Assets``) adds live statuses and the log viewer, both
/// through the API's own streams (`/v1/events`, `/v1/jobs/{id}/log/events`), which accept the
/// session cookie on `GET`. Buttons post forms to these pages; the actions are the API's own
/// (``API/JobsAPI/cancel(job:)``, ``API/JobsAPI/retry(job:)``,
/// ``API/PipelinesAPI/cancel(pipeline:)``), under the same scopes as the API.
///
/// Who may see what is the API's ``API/AccessPolicy``: without tokens everything is open; with
/// tokens, a person signs in once with a token (``API/BrowserSessions``), and `anonymous_read`
/// makes the pages public.
public struct WebUI: Sendable {
    public struct Settings: Sendable {
        /// Whether the session cookie is `Secure`: the pages are reached over HTTPS
        /// (`public_url` is `https://…`, through a proxy that terminates TLS).
        public var secureCookies = false
        /// Bytes of the end of a log rendered into the job page for readers without JavaScript.
        public var staticLogBytes = 32 * 1024
        /// Pipelines on one page of the list.
        public var pageSize = 25

        public init() {}
    }

    public var store: any JobStore & JobCatalog
    public var logs: any LogStore
    public var jobs: JobsAPI
    public var pipelines: PipelinesAPI
    public var access: AccessPolicy
    public var sessions: BrowserSessions
    public var settings: Settings

    /// - Parameter access: the API's policy, with `sessions` set (the API then accepts the
    ///   session cookie for reads).
    public init(store: any JobStore & JobCatalog, logs: any LogStore, jobs: JobsAPI, pipelines: PipelinesAPI, access: AccessPolicy,
                sessions: BrowserSessions, settings: Settings = Settings()) {
        self.store = store
        self.logs = logs
        self.jobs = jobs
        self.pipelines = pipelines
        self.access = access
        self.sessions = sessions
        self.settings = settings
    }

    public func register(on router: inout Router) {
        let ui = self
        router.get("/", { request in try await ui.page(request) { visitor in try await ui.pipelineList(request, visitor: visitor) } })
        router.get("/pipelines", { request in try await ui.page(request) { visitor in try await ui.pipelineList(request, visitor: visitor) } })
        router.get("/pipelines/{id}", { request in try await ui.page(request) { visitor in try await ui.pipelinePage(request, visitor: visitor) } })
        router.get("/jobs/{id}", { request in try await ui.page(request) { visitor in try await ui.jobPage(request, visitor: visitor) } })
        router.post("/pipelines/{id}/cancel", bodyLimit: Self.formLimit) { request in try await ui.cancelPipeline(request) }
        router.post("/jobs/{id}/cancel", bodyLimit: Self.formLimit) { request in try await ui.cancelJob(request) }
        router.post("/jobs/{id}/retry", bodyLimit: Self.formLimit) { request in try await ui.retryJob(request) }
        router.get("/login", { request in ui.loginPage(request) })
        router.post("/login", bodyLimit: Self.formLimit) { request in ui.login(request) }
        router.post("/logout", bodyLimit: Self.formLimit) { request in ui.logout(request) }
        let assets = Dictionary(uniqueKeysWithValues: Assets.all.map { ($0.fileName, $0) })
        router.get("/assets/{name}", immediate: { request in
            guard let asset = request.parameters["name"].flatMap({ assets[$0] }) else {
                return ErrorPage.plain(.notFound, "no such asset")
            }
            return asset.response(for: request)
        })
    }

    /// The largest form body accepted (a token, a CSRF token and a path fit many times over).
    static let formLimit = 8 * 1024

    // MARK: - Visitors

    /// Who is asking, as far as the pages care.
    struct Visitor {
        var session: BrowserSessions.Session?
        /// What they may do; `nil`: nothing, not even read (tokens required, none presented).
        var scope: APIScope?
        /// A cookie to set with the response (a session opened for this page's forms).
        var setCookie: String?
        /// Whether tokens are configured at all (the header then offers signing in or out).
        var tokensEnabled: Bool

        /// The token name the visitor signed in with, if any.
        var signedInAs: String? { self.session?.tokenName }

        func may(_ scope: APIScope) -> Bool { self.scope?.grants(scope) ?? false }

        /// The CSRF token for this page's forms.
        var csrfToken: String { self.session?.csrfToken ?? "" }
    }

    /// The visitor of `request`. With `forms`, a visitor allowed to submit who has no session
    /// yet gets one (and its cookie), to carry the CSRF token of the page's forms.
    func visitor(_ request: HTTPRequest, forms: Bool) -> Visitor {
        var session = self.sessions.session(for: request)
        if let known = session, known.tokenName != nil, self.access.token(named: known.tokenName) == nil {
            session = nil  // its token is no longer configured
        }
        var visitor = Visitor(session: session, scope: self.access.scope(of: session), tokensEnabled: self.access.isEnabled)
        if forms, session == nil, visitor.may(.submit) || !visitor.tokensEnabled {
            let opened = self.sessions.open(tokenName: nil)
            visitor.session = opened
            visitor.setCookie = self.sessionCookie(opened.id)
        }
        return visitor
    }

    /// `Set-Cookie` for session `id`: HttpOnly (no script reads it), SameSite=Strict (no other
    /// site's page sends it), Secure when the pages are served over HTTPS.
    func sessionCookie(_ id: String) -> String {
        let maxAge = self.sessions.lifetime.components.seconds
        return "\(BrowserSessions.cookieName)=\(id); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Strict\(self.settings.secureCookies ? "; Secure" : "")"
    }

    func expiredSessionCookie() -> String {
        "\(BrowserSessions.cookieName)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict\(self.settings.secureCookies ? "; Secure" : "")"
    }

    /// Renders a page for a visitor who may read, else answers with the sign-in page (401).
    /// Errors become error pages with their status.
    func page(_ request: HTTPRequest, _ render: (Visitor) async throws -> HTTPResponse) async throws -> HTTPResponse {
        let visitor = self.visitor(request, forms: true)
        guard visitor.may(.read) else { return self.signInRequired(request) }
        do {
            return try await render(visitor)
        } catch let error as HTTPError {
            return ErrorPage.page(error, visitor: visitor)
        }
    }
}
