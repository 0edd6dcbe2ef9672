// slipway — WebUI
// SPDX-License-Identifier: Apache-2.0

import API
import FoundationEssentials
import HTTP
import Jobs

/// `/` and `/pipelines` (recent pipelines, filtered and paginated as `GET /v1/pipelines`), and
/// `/pipelines/{id}` (its stages as columns of jobs).
extension WebUI {
    func pipelineList(_ request: HTTPRequest, visitor: Visitor) async throws -> HTTPResponse {
        var query = PipelineQuery()
        query.project = try Self.filter(request, "project")
        query.ref = try Self.filter(request, "ref")
        if let cursor = request.query("cursor") { query.beforeID = try PageCursor.decode(cursor) }
        query.limit = self.settings.pageSize + 1
        var pipelines = try await self.store.pipelines(matching: query)
        var next: String?
        if pipelines.count > self.settings.pageSize {
            pipelines.removeLast(pipelines.count - self.settings.pageSize)
            var parameters: [String] = []
            if let project = query.project { parameters.append("project=\(URLComponent.encode(project))") }
            if let ref = query.ref { parameters.append("ref=\(URLComponent.encode(ref))") }
            parameters.append("cursor=\(PageCursor.encode(after: pipelines.last!.id))")
            next = "/pipelines?" + parameters.joined(separator: "&")
        }
        let jobs = try await self.store.jobs(inPipelines: pipelines.map(\.id))
        let now = Date()
        var data: [(StaticString, String)] = []
        if let project = query.project { data.append(("data-project", project)) }
        if let ref = query.ref { data.append(("data-ref", ref)) }
        return Layout.page(title: "Pipelines", page: "pipelines", data: data, visitor: visitor) { html in
            html.raw("<h1>Pipelines</h1>\n")
            html.raw("<form method=\"get\" action=\"/pipelines\" class=\"filters\" role=\"search\" aria-label=\"Filter pipelines\">\n")
            html.raw("<label for=\"f-project\">Project</label> <input id=\"f-project\" name=\"project\" type=\"text\" placeholder=\"group/name\"")
            html.attribute("value", query.project ?? "")
            html.raw(">\n<label for=\"f-ref\">Ref</label> <input id=\"f-ref\" name=\"ref\" type=\"text\" placeholder=\"main\"")
            html.attribute("value", query.ref ?? "")
            html.raw(">\n<button type=\"submit\">Filter</button>")
            if query.project != nil || query.ref != nil { html.raw(" <a href=\"/pipelines\">Clear</a>") }
            html.raw("\n</form>\n<p class=\"notice\" id=\"new-pipelines\" role=\"status\" hidden><a href=\"\">New pipelines: show them</a></p>\n")
            if pipelines.isEmpty {
                html.raw("<p>No pipelines yet. A push to a configured GitLab project, or <code>POST /v1/pipelines</code>, starts one.</p>")
                return
            }
            html.raw("<div class=\"table-scroll\"><table class=\"pipelines\">\n<caption class=\"visually-hidden\">Recent pipelines, newest first</caption>\n")
            html.raw("<thead><tr><th scope=\"col\">Pipeline</th><th scope=\"col\">Status</th><th scope=\"col\">Project</th><th scope=\"col\">Ref</th>")
            html.raw("<th scope=\"col\">Commit</th><th scope=\"col\">Source</th><th scope=\"col\">Created</th><th scope=\"col\">Duration</th></tr></thead>\n<tbody>\n")
            for pipeline in pipelines {
                let pipelineJobs = jobs[pipeline.id] ?? []
                let representation = PipelineRepresentation(pipeline, jobs: pipelineJobs, includeJobs: false, now: now)
                html.raw("<tr data-pipeline-id=\"")
                html.number(pipeline.id)
                html.raw("\"><td><a")
                html.href(WebLinks.pipeline(pipeline.id))
                html.raw(">#")
                html.number(pipeline.id)
                html.raw("</a></td><td class=\"status-cell\">")
                StatusPresentation.badge(representation.status, into: &html)
                html.raw("</td><td>")
                html.text(pipeline.project)
                html.raw("</td><td><code>")
                html.text(pipeline.ref)
                html.raw("</code></td><td><code>")
                html.text(pipeline.sha.map { String($0.prefix(8)) } ?? "—")
                html.raw("</code></td><td>")
                html.text(pipeline.source)
                html.raw("</td><td>")
                Layout.time(representation.createdAt, into: &html)
                html.raw("</td><td class=\"duration\">")
                html.text(Self.pipelineDuration(pipelineJobs, now: now).map(StatusPresentation.duration) ?? "—")
                html.raw("</td></tr>\n")
            }
            html.raw("</tbody></table></div>\n")
            html.raw("<nav class=\"pager\" aria-label=\"Pages\">")
            if request.query("cursor") != nil {
                html.raw("<a href=\"/pipelines\">Newest</a> ")
            }
            if let next {
                html.raw("<a rel=\"next\"")
                html.href(next)
                html.raw(">Older pipelines</a>")
            }
            html.raw("</nav>")
        }
    }

    /// From the first job's start to the last one's end (or now, while one runs).
    static func pipelineDuration(_ jobs: [Job], now: Date) -> Double? {
        guard let started = jobs.compactMap(\.startedAt).min() else { return nil }
        let finished = jobs.allSatisfy(\.status.isFinished) ? jobs.compactMap(\.finishedAt).max() ?? now : now
        return finished.timeIntervalSince(started)
    }

    static func filter(_ request: HTTPRequest, _ name: String) throws(HTTPError) -> String? {
        guard let value = request.query(name), !value.isEmpty else { return nil }
        guard value.utf8.count <= 255 else {
            throw HTTPError(.badRequest, "\(name): must be at most 255 bytes")
        }
        return value
    }

    static func pipelineID(_ request: HTTPRequest) throws(HTTPError) -> Int64 {
        let text = request.parameters["id"] ?? ""
        guard (1...18).contains(text.utf8.count), text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let id = Int64(text), id > 0 else {
            throw HTTPError(.notFound, "no pipeline '\(text.prefix(40))': pipeline ids are positive integers")
        }
        return id
    }

    func pipelinePage(_ request: HTTPRequest, visitor: Visitor) async throws -> HTTPResponse {
        let id = try Self.pipelineID(request)
        guard let pipeline = try await self.store.pipeline(id) else { throw HTTPError(.notFound, "no pipeline \(id)") }
        let jobs = try await self.store.jobs(inPipelines: [id])[id] ?? []
        let now = Date()
        let representation = PipelineRepresentation(pipeline, jobs: jobs, includeJobs: false, now: now)
        let finished = PipelineStatus(rawValue: representation.status)?.isFinished ?? true
        return Layout.page(title: "Pipeline #\(id)", page: "pipeline", data: [("data-pipeline-id", String(id))], visitor: visitor) { html in
            html.raw("<h1>Pipeline #")
            html.number(id)
            html.raw(" <span id=\"pipeline-status\" data-pipeline-id=\"")
            html.number(id)
            html.raw("\">")
            StatusPresentation.badge(representation.status, into: &html)
            html.raw("</span></h1>\n<dl class=\"facts\">\n<dt>Project</dt><dd>")
            html.text(pipeline.project)
            html.raw("</dd>\n<dt>Ref</dt><dd><code>")
            html.text(pipeline.ref)
            html.raw("</code></dd>\n<dt>Commit</dt><dd><code>")
            html.text(pipeline.sha ?? "—")
            html.raw("</code></dd>\n<dt>Source</dt><dd>")
            html.text(pipeline.source)
            html.raw("</dd>\n<dt>Created</dt><dd>")
            Layout.time(representation.createdAt, into: &html)
            html.raw("</dd>\n<dt>Duration</dt><dd>")
            html.text(Self.pipelineDuration(jobs, now: now).map(StatusPresentation.duration) ?? "—")
            html.raw("</dd>\n")
            if let by = pipeline.autoCanceledBy {
                html.raw("<dt>Canceled by</dt><dd><a")
                html.href(WebLinks.pipeline(by))
                html.raw(">pipeline #")
                html.number(by)
                html.raw("</a>, newer, for the same ref</dd>\n")
            }
            html.raw("</dl>\n")
            if let message = pipeline.failureMessage {
                html.raw("<p class=\"problem\">")
                html.text(message)
                html.raw("</p>\n")
            }
            if visitor.may(.admin) {
                html.raw("<div class=\"actions\">")
                Layout.button("Cancel pipeline", action: "/pipelines/\(id)/cancel", visitor: visitor, showWhen: "unfinished", hidden: finished,
                              danger: true, into: &html)
                html.raw("</div>\n")
            }
            html.raw("<p class=\"notice\" id=\"new-jobs\" role=\"status\" hidden><a href=\"\">New jobs in this pipeline: show them</a></p>\n")
            html.raw("<h2 class=\"visually-hidden\">Stages</h2>\n<div class=\"stages\">\n")
            for (index, stage) in Self.stages(of: jobs).enumerated() {
                html.raw("<section class=\"stage\" aria-labelledby=\"stage-")
                html.number(index)
                html.raw("\"><h3 id=\"stage-")
                html.number(index)
                html.raw("\">")
                html.text(stage.name)
                html.raw("</h3>\n<ul>\n")
                for job in stage.jobs {
                    html.raw("<li class=\"job\" data-job-id=\"")
                    html.number(job.id.rawValue)
                    html.raw("\"><a class=\"job-link\"")
                    html.href(WebLinks.job(job.id))
                    html.raw(">")
                    StatusPresentation.badge(job.status.rawValue, into: &html)
                    html.raw(" <span class=\"job-name\">")
                    html.text(job.name)
                    html.raw("</span></a>")
                    if pipeline.allowedFailures.contains(job.id) { html.raw(" <span class=\"tag\">allowed to fail</span>") }
                    html.raw(" <span class=\"duration\">")
                    html.text(job.duration(now: now).map(StatusPresentation.duration) ?? "")
                    html.raw("</span>")
                    if visitor.may(.submit) {
                        Layout.button("Cancel", action: "/jobs/\(job.id)/cancel", visitor: visitor, showWhen: "unfinished", hidden: job.status.isFinished, into: &html)
                        Layout.button("Retry", action: "/jobs/\(job.id)/retry", visitor: visitor, showWhen: "finished", hidden: !job.status.isFinished, into: &html)
                    }
                    html.raw("</li>\n")
                }
                html.raw("</ul></section>\n")
            }
            if jobs.isEmpty { html.raw("<p>This pipeline has no jobs.</p>\n") }
            html.raw("</div>")
        }
    }

    /// Stages in the order their first job was created (the order the pipeline runs them).
    static func stages(of jobs: [Job]) -> [(name: String, jobs: [Job])] {
        var order: [String] = []
        var byStage: [String: [Job]] = [:]
        for job in jobs.sorted(by: { $0.id < $1.id }) {
            let stage = job.specification.stage ?? "jobs"
            if byStage[stage] == nil { order.append(stage) }
            byStage[stage, default: []].append(job)
        }
        return order.map { ($0, byStage[$0]!) }
    }
}
