// slipway — WebUI
// SPDX-License-Identifier: Apache-2.0

import API
import FoundationEssentials
import HTTP
import Jobs

/// `/jobs/{id}`: the job's facts, its buttons and its log.
extension WebUI {
    func jobPage(_ request: HTTPRequest, visitor: Visitor) async throws -> HTTPResponse {
        guard let text = request.parameters["id"], let id = JobID(text) else {
            throw HTTPError(.notFound, "no job '\((request.parameters["id"] ?? "").prefix(40))': job ids are positive integers")
        }
        guard let job = try await self.store.jobSummary(id) else { throw HTTPError(.notFound, "no job \(id)") }
        let now = Date()
        let representation = JobRepresentation(job, now: now)
        let tail = try await self.logTail(of: id)
        var data: [(StaticString, String)] = [("data-job-id", String(id.rawValue)), ("data-status", job.status.rawValue)]
        if let pipelineID = job.pipelineID { data.append(("data-pipeline-id", String(pipelineID))) }
        return Layout.page(title: "\(job.name) · job #\(id)", page: "job", data: data, visitor: visitor) { html in
            html.raw("<nav class=\"crumbs\" aria-label=\"Breadcrumb\"><a href=\"/pipelines\">Pipelines</a>")
            if let pipelineID = job.pipelineID {
                html.raw(" › <a")
                html.href(WebLinks.pipeline(pipelineID))
                html.raw(">Pipeline #")
                html.number(pipelineID)
                html.raw("</a>")
            }
            html.raw("</nav>\n<h1><span class=\"job-name\">")
            html.text(job.name)
            html.raw("</span> <span class=\"id\">#")
            html.number(id.rawValue)
            html.raw("</span> <span id=\"job-status\" data-job-id=\"")
            html.number(id.rawValue)
            html.raw("\">")
            StatusPresentation.badge(job.status.rawValue, into: &html)
            html.raw("</span></h1>\n")
            html.raw("<p class=\"problem\" id=\"failure\"")
            let explanation = StatusPresentation.explain(job.failureReason, exitCode: job.exitCode)
            if explanation == nil { html.raw(" hidden") }
            html.raw(">")
            html.text(explanation ?? "")
            html.raw("</p>\n")
            if visitor.may(.submit) {
                html.raw("<div class=\"actions\">")
                Layout.button("Cancel job", action: "/jobs/\(id)/cancel", visitor: visitor, showWhen: "unfinished", hidden: job.status.isFinished,
                              danger: true, into: &html)
                Layout.button("Retry job", action: "/jobs/\(id)/retry", visitor: visitor, showWhen: "finished", hidden: !job.status.isFinished, into: &html)
                html.raw("</div>\n")
            }
            html.raw("<dl class=\"facts\">\n")
            func fact(_ name: StaticString, field: StaticString, _ value: String?) {
                html.raw("<dt>")
                html.raw(name)
                html.raw("</dt><dd data-field=\"")
                html.raw(field)
                html.raw("\">")
                html.text(value ?? "—")
                html.raw("</dd>\n")
            }
            if let project = job.project { fact("Project", field: "project", project) }
            if let ref = job.ref { fact("Ref", field: "ref", ref) }
            if let stage = job.stage { fact("Stage", field: "stage", stage) }
            fact("Worker", field: "worker", job.worker == .dind ? "dind (a Docker daemon of its own)" : "host (the host's Docker daemon)")
            fact("Image", field: "image", job.image)
            html.raw("<dt>Created</dt><dd data-field=\"created_at\">")
            Layout.time(representation.createdAt, into: &html)
            html.raw("</dd>\n<dt>Started</dt><dd data-field=\"started_at\">")
            Layout.time(representation.startedAt, into: &html)
            html.raw("</dd>\n<dt>Finished</dt><dd data-field=\"finished_at\">")
            Layout.time(representation.finishedAt, into: &html)
            html.raw("</dd>\n")
            fact("Duration", field: "duration", representation.duration.map(StatusPresentation.duration))
            fact("Queued for", field: "queued_duration", StatusPresentation.duration(representation.queuedDuration))
            fact("Timeout", field: "timeout", StatusPresentation.duration(representation.timeout))
            fact("Exit code", field: "exit_code", job.exitCode.map(String.init))
            if let retryOf = job.retryOf {
                html.raw("<dt>Retry of</dt><dd><a")
                html.href(WebLinks.job(retryOf))
                html.raw(">job #")
                html.number(retryOf.rawValue)
                html.raw("</a></dd>\n")
            }
            html.raw("<dt>Artifacts</dt><dd>none (slipway keeps no artifacts)</dd>\n</dl>\n")
            self.logSection(job: job, tail: tail, into: &html)
        }
    }

    /// The end of job `id`'s log for the page, and the number of the line it starts with.
    struct LogTail {
        var bytes: [UInt8]
        var firstLine: Int
        /// The log's size when it was read.
        var size: Int
        var isPartial: Bool
    }

    /// Counts the log's lines in pieces (nothing but the count is kept), then reads its last
    /// `settings.staticLogBytes` bytes from a line start.
    func logTail(of id: JobID) async throws -> LogTail {
        var size = 0
        var newlines = 0
        while true {
            let chunk = try await self.logs.read(id, from: size, maximum: 1 << 20)
            if chunk.bytes.isEmpty { break }
            newlines += Self.newlines(in: chunk.bytes[...])
            size = chunk.nextOffset
        }
        let start = max(0, size - self.settings.staticLogBytes)
        var tail = try await self.logs.read(id, from: start, maximum: size - start).bytes[...]
        if start > 0 {
            // Whole lines only: drop the one the cut went through.
            let lineStart = tail.firstIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? tail.endIndex
            tail = tail[lineStart...]
        }
        let firstLine = newlines - Self.newlines(in: tail) + 1
        return LogTail(bytes: Array(tail), firstLine: firstLine, size: size, isPartial: firstLine > 1)
    }

    static func newlines(in bytes: ArraySlice<UInt8>) -> Int {
        bytes.withUnsafeBufferPointer { buffer in
            var count = 0
            for byte in buffer where byte == UInt8(ascii: "\n") { count += 1 }
            return count
        }
    }

    /// The log: a toolbar for the script's viewer, and the end of the log as HTML for readers
    /// without JavaScript (which the viewer replaces).
    func logSection(job: JobSummary, tail: LogTail, into html: inout HTML) {
        let raw = "/v1/jobs/\(job.id)/log"
        html.raw("<section class=\"log-section\" aria-labelledby=\"log-heading\">\n<h2 id=\"log-heading\">Log</h2>\n")
        html.raw("<div class=\"log-tools\" id=\"log-tools\" hidden>\n")
        html.raw("<form class=\"log-search\" role=\"search\" id=\"log-search\"><label for=\"log-query\">Search the log</label> ")
        html.raw("<input id=\"log-query\" type=\"search\" autocomplete=\"off\" spellcheck=\"false\"> ")
        html.raw("<button type=\"submit\" id=\"log-next\">Next</button> <button type=\"button\" id=\"log-previous\">Previous</button> ")
        html.raw("<span id=\"log-matches\" role=\"status\" aria-live=\"polite\"></span></form>\n")
        html.raw("<div class=\"log-options\"><label><input type=\"checkbox\" id=\"log-timestamps\"> Timestamps</label> ")
        html.raw("<label><input type=\"checkbox\" id=\"log-follow\" checked> Follow the end</label> ")
        html.raw("<button type=\"button\" id=\"log-collapse\">Collapse all</button> <button type=\"button\" id=\"log-expand\">Expand all</button></div>\n")
        html.raw("</div>\n<p class=\"log-links\"><a")
        html.href(raw)
        html.raw(">View raw</a> · <a")
        html.href(raw)
        html.raw(" download=\"job-")
        html.number(job.id.rawValue)
        html.raw(".log\">Download</a> <span id=\"log-size\">(")
        html.text(Self.byteCount(tail.size))
        html.raw(")</span></p>\n")
        html.raw("<div id=\"log-viewer\" class=\"log-viewer\" hidden></div>\n")
        html.raw("<div id=\"log-static\">")
        if tail.isPartial {
            html.raw("<p class=\"notice\">The log's last lines, from line ")
            html.number(tail.firstLine)
            html.raw(": the whole log is behind <a")
            html.href(raw)
            html.raw(">View raw</a>.</p>")
        }
        if tail.bytes.isEmpty {
            html.raw("<p class=\"empty-log\">")
            html.raw(job.status.isFinished ? "This job wrote nothing to its log." : "Nothing in the log yet.")
            html.raw("</p>")
        } else {
            html.raw("<pre class=\"log\" tabindex=\"0\" aria-label=\"Job log\">")
            LogHTML.render(tail.bytes[...], firstLine: tail.firstLine, into: &html)
            html.raw("</pre>")
        }
        html.raw("</div>\n</section>")
    }

    static func byteCount(_ bytes: Int) -> String {
        if bytes < 1024 { return "\(bytes) bytes" }
        if bytes < 1024 * 1024 { return "\((Double(bytes) / 102.4).rounded() / 10) KiB" }
        return "\((Double(bytes) / 104_857.6).rounded() / 10) MiB"
    }
}
