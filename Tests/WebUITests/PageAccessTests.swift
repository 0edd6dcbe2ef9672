// slipway — web page tests
// SPDX-License-Identifier: Apache-2.0

import API
import Application
import Foundation
import HTTP
import Jobs
import Logging
import Store
import Testing
import TestSupport

/// Who sees which page and who may press which button, against a live server (no Docker:
/// jobs are moved through their states in the store, as the scheduler would).
@Suite("page access, sessions and CSRF")
struct PageAccessTests {
    struct Server {
        let application: SlipwayApplication
        let directory: String
        let client: HTTPClient

        static let read = "page-read-token-0123456789"
        static let submit = "page-submit-token-0123456789"

        static func start(tokens: Bool, anonymousRead: Bool = false, publicURL: String? = nil) async throws -> Server {
            let directory = "/tmp/slipway-page-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            var configuration = SlipwayConfiguration()
            configuration.listen = [.ipv4(host: "127.0.0.1", port: 0)]
            configuration.dataDirectory = "\(directory)/data"
            configuration.dockerHost = "unix://\(directory)/no-docker.sock"
            configuration.http.eventLoops = 1
            configuration.publicURL = publicURL
            configuration.workers.host.allowAPISubmissions = true
            if tokens {
                configuration.api.tokens = [APIToken(name: "reader", secret: Self.read, scope: .read),
                                            APIToken(name: "ci", secret: Self.submit, scope: .submit)]
            }
            configuration.api.anonymousRead = anonymousRead
            let logger = Logger(label: "slipway-page-test") { _ in SwiftLogNoOpLogHandler() }
            let application = try await SlipwayApplication(configuration: configuration, logger: logger)
            let port = try await application.start()[0].port ?? 0
            return Server(application: application, directory: directory,
                          client: makeTestClient(.ipv4(host: "127.0.0.1", port: port)))
        }

        func stop() async {
            await self.application.shutdown()
            try? FileManager.default.removeItem(atPath: self.directory)
        }

        struct Response {
            var status: Int
            var fields: HTTPFields
            var text: String
            /// The session id a `Set-Cookie` gave, if any.
            var session: String? {
                guard let cookie = self.fields["Set-Cookie"], cookie.hasPrefix("slipway_session=") else { return nil }
                return String(cookie.dropFirst("slipway_session=".count).prefix { $0 != ";" })
            }
            /// The page's CSRF token.
            var csrf: String? {
                guard let range = self.text.range(of: #"name="csrf" value=""#) else { return nil }
                return String(self.text[range.upperBound...].prefix { $0 != "\"" })
            }
        }

        func request(_ method: HTTPMethod = .get, _ target: String, session: String? = nil, form: String? = nil,
                     fields extra: [(String, String)] = []) async throws -> Response {
            var fields = HTTPFields()
            fields.append(name: "Host", value: "127.0.0.1")
            if let session { fields.append(name: "Cookie", value: "theme=dark; slipway_session=\(session)") }
            if form != nil { fields.append(name: "Content-Type", value: "application/x-www-form-urlencoded") }
            for (name, value) in extra { fields.append(name: name, value: value) }
            let request = HTTPClientRequest(method: method, target: target, fields: fields, body: form.map { .bytes(Array($0.utf8)) } ?? .none)
            let (head, bytes) = try await self.client.collect(request)
            return Response(status: head.status.code, fields: head.fields, text: String(decoding: bytes, as: UTF8.self))
        }

        func job(_ name: String = "build", status: JobStatus = .pending) async throws -> Job {
            var job = try await self.application.store.insert(
                JobSpecification(name: name, image: "busybox", script: ["true"], worker: .host), status: .pending, at: Date())
            if status == .running || status == .success { job = try await self.application.store.apply(.start, to: job.id, at: Date()) }
            if status == .success { job = try await self.application.store.apply(.succeed, to: job.id, at: Date()) }
            return job
        }

        /// Signs in with `token`: the session id.
        func signIn(_ token: String) async throws -> String {
            let page = try await self.request(.get, "/login")
            let form = "csrf=\(page.csrf ?? "")&next=%2Fpipelines&token=\(token)"
            let answer = try await self.request(.post, "/login", session: page.session, form: form, fields: [("Origin", "http://127.0.0.1")])
            #expect(answer.status == 303 && answer.fields["Location"] == "/pipelines", "\(answer.text)")
            return try #require(answer.session)
        }
    }

    func withServer(tokens: Bool, anonymousRead: Bool = false, publicURL: String? = nil, _ body: (Server) async throws -> Void) async throws {
        let server = try await Server.start(tokens: tokens, anonymousRead: anonymousRead, publicURL: publicURL)
        do {
            try await body(server)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test func openPagesCarryASessionForTheirFormsAndStrictHeaders() async throws {
        try await self.withServer(tokens: false) { server in
            let job = try await server.job("<b>bold</b> name", status: .running)
            let page = try await server.request(.get, "/jobs/\(job.id)")
            #expect(page.status == 200)
            #expect(page.text.contains("&lt;b&gt;bold&lt;/b&gt; name") && !page.text.contains("<b>bold"))
            #expect(page.fields["Content-Security-Policy"]?.contains("default-src 'none'; script-src 'self'") == true)
            #expect(page.fields["X-Frame-Options"] == "DENY" && page.fields["Cache-Control"] == "no-store")
            let cookie = try #require(page.fields["Set-Cookie"])
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && !cookie.contains("Secure"))
            #expect(page.csrf?.count == 43)
            let missing = try await server.request(.get, "/jobs/424242")
            #expect(missing.status == 404 && missing.text.contains("no job 424242"))
            #expect(try await server.request(.get, "/pipelines/0").status == 404)
            #expect(try await server.request(.get, "/pipelines?cursor=zz").status == 400)
            #expect(try await server.request(.get, "/").status == 200)
        }
    }

    /// Without JavaScript the page shows the log's end, numbered as in the whole log.
    @Test func theJobPageShowsTheEndOfALongLogWithItsLineNumbers() async throws {
        try await self.withServer(tokens: false) { server in
            let job = try await server.job(status: .running)
            let text = (1...6000).map { "line \($0)\n" }.joined()
            await server.application.logs.append(Array(text.utf8), to: job.id)
            let page = try await server.request(.get, "/jobs/\(job.id)")
            let first = try #require(page.text.firstMatch(of: /from line (\d+)/).map { Int($0.1)! })
            #expect(first > 1 && first < 6000)
            #expect(page.text.contains(##"id="L\##(first)"><a class="ln" tabindex="-1" href="#L\##(first)">\##(first)</a>line \##(first)</span>"##))
            #expect(page.text.contains(##">6000</a>line 6000</span>"##) && !page.text.contains(##"id="L\##(first - 1)""##))
        }
    }

    @Test func formsNeedTheirSessionsCSRFTokenAndThisOrigin() async throws {
        try await self.withServer(tokens: false) { server in
            let job = try await server.job(status: .running)
            let page = try await server.request(.get, "/jobs/\(job.id)")
            let session = try #require(page.session)
            let csrf = try #require(page.csrf)
            let cancel = "/jobs/\(job.id)/cancel"
            #expect(try await server.request(.post, cancel, session: session, form: "csrf=wrong").status == 403)
            #expect(try await server.request(.post, cancel, form: "csrf=\(csrf)").status == 403, "no session cookie")
            #expect(try await server.request(.post, cancel, session: session, form: "csrf=\(csrf)",
                                             fields: [("Sec-Fetch-Site", "cross-site")]).status == 403)
            #expect(try await server.request(.post, cancel, session: session, form: "csrf=\(csrf)",
                                             fields: [("Origin", "http://evil.example")]).status == 403)
            #expect(try await server.request(.post, cancel, session: session, fields: [("Content-Type", "application/json")]).status == 415)
            #expect(try await server.application.store.job(job.id)?.status == .running, "nothing refused changed the job")
            let done = try await server.request(.post, cancel, session: session, form: "csrf=\(csrf)",
                                                fields: [("Origin", "http://127.0.0.1"), ("Sec-Fetch-Site", "same-origin")])
            #expect(done.status == 303 && done.fields["Location"] == "/jobs/\(job.id)")
            // The scheduler has no container for it: the cancel is recorded (or refused as
            // the API refuses it), never silently dropped.
            let again = try await server.request(.post, cancel, session: session, form: "csrf=\(csrf)")
            #expect([303, 409].contains(again.status))
        }
    }

    @Test func withTokensPagesNeedASignInAndTheCookieStandsForItsToken() async throws {
        try await self.withServer(tokens: true) { server in
            let job = try await server.job(status: .success)
            let refused = try await server.request(.get, "/jobs/\(job.id)")
            #expect(refused.status == 401 && refused.text.contains(#"id="token""#) && refused.text.contains(#"value="/jobs/\#(job.id)""#))
            let crossSite = try await server.request(.get, "/jobs/\(job.id)", fields: [("Sec-Fetch-Site", "cross-site")])
            #expect(crossSite.status == 200 && crossSite.fields["Refresh"] == "0; url=/jobs/\(job.id)", "reloads once to send a Strict cookie")
            let login = try await server.request(.get, "/login")
            let wrong = try await server.request(.post, "/login", session: login.session, form: "csrf=\(login.csrf ?? "")&token=nope")
            #expect(wrong.status == 401 && wrong.text.contains("not valid"))
            #expect(try await server.request(.post, "/login", session: login.session, form: "csrf=bad&token=\(Server.read)").status == 403)

            let reader = try await server.signIn(Server.read)
            let page = try await server.request(.get, "/jobs/\(job.id)", session: reader)
            #expect(page.status == 200 && page.text.contains("Signed in with token <strong>reader</strong>"))
            #expect(!page.text.contains("/retry\""), "a read token gets no buttons")
            #expect(try await server.request(.get, "/v1/jobs/\(job.id)", session: reader).status == 200, "the cookie reads the API")
            #expect(try await server.request(.post, "/v1/jobs/\(job.id)/retry", session: reader).status == 401,
                    "the cookie never counts for the API's writes")
            let csrf = try #require(page.csrf)
            let scoped = try await server.request(.post, "/jobs/\(job.id)/retry", session: reader, form: "csrf=\(csrf)")
            #expect(scoped.status == 403 && scoped.text.contains("submit scope"))

            let submitter = try await server.signIn(Server.submit)
            let withButtons = try await server.request(.get, "/jobs/\(job.id)", session: submitter)
            #expect(withButtons.text.contains("action=\"/jobs/\(job.id)/retry\""))
            let retried = try await server.request(.post, "/jobs/\(job.id)/retry", session: submitter, form: "csrf=\(withButtons.csrf ?? "")")
            #expect(retried.status == 303 && retried.fields["Location"] != "/jobs/\(job.id)")

            let out = try await server.request(.post, "/logout", session: submitter, form: "csrf=\(withButtons.csrf ?? "")")
            #expect(out.status == 303 && out.fields["Set-Cookie"]?.contains("Max-Age=0") == true)
            #expect(try await server.request(.get, "/pipelines", session: submitter).status == 401, "a closed session is worth nothing")
            #expect(try await server.request(.get, "/pipelines", session: "\(reader); broken; =x; other=1").status == 200)
        }
    }

    @Test func anonymousReadMakesPagesPublicWithoutButtons() async throws {
        try await self.withServer(tokens: true, anonymousRead: true) { server in
            let job = try await server.job(status: .success)
            let page = try await server.request(.get, "/jobs/\(job.id)")
            #expect(page.status == 200 && page.text.contains("Sign in") && !page.text.contains("/retry\""))
            #expect(page.fields["Set-Cookie"] == nil, "no session for an anonymous reader")
        }
    }

    @Test func httpsPublicURLMakesTheCookieSecure() async throws {
        try await self.withServer(tokens: true, publicURL: "https://ci.example.com") { server in
            let login = try await server.request(.get, "/login")
            #expect(login.fields["Set-Cookie"]?.hasSuffix("; Secure") == true)
        }
    }

    @Test func browsersAskingTheAPIForHTMLGoToThePages() async throws {
        try await self.withServer(tokens: true) { server in
            let job = try await server.job(status: .success)
            let html = [("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")]
            let toJob = try await server.request(.get, "/v1/jobs/\(job.id)", fields: html)
            #expect(toJob.status == 303 && toJob.fields["Location"] == "/jobs/\(job.id)")
            let toList = try await server.request(.get, "/v1/pipelines?project=a%2Fb", fields: html)
            #expect(toList.status == 303 && toList.fields["Location"] == "/pipelines?project=a%2Fb")
            #expect(try await server.request(.get, "/v1/pipelines/12", fields: html).fields["Location"] == "/pipelines/12")
            #expect(try await server.request(.get, "/v1/jobs/\(job.id)", fields: [("Accept", "*/*")]).status == 401, "curl gets the API")
            #expect(try await server.request(.get, "/v1/jobs/\(job.id)", fields: [("Accept", "application/json, text/html")]).status == 401)
        }
    }

    @Test func assetsNeedNoSession() async throws {
        try await self.withServer(tokens: true) { server in
            let page = try await server.request(.get, "/login")
            let path = try #require(page.text.firstMatch(of: /src="(\/assets\/slipway-[0-9a-f]{16}\.js)"/)).1
            let script = try await server.request(.get, String(path))
            #expect(script.status == 200 && script.fields["Content-Type"]?.hasPrefix("text/javascript") == true)
            #expect(try await server.request(.get, "/assets/nope.js").status == 404)
        }
    }
}
