// slipway — WebUI
// SPDX-License-Identifier: Apache-2.0

import API
import HTTP
import Jobs

/// The pages' buttons: cancel and retry a job, cancel a pipeline. Each is a form post that
/// passes the CSRF checks (``checkedForm(_:)``), needs the scope the API's endpoint needs,
/// and runs the API's own action; then the browser goes back to a page (303).
extension WebUI {
    func cancelJob(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await self.act(request, needs: .submit) {
            let id = try Self.jobID(request)
            _ = try await self.jobs.cancel(job: id)
            return WebLinks.job(id)
        }
    }

    func retryJob(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await self.act(request, needs: .submit) {
            let retry = try await self.jobs.retry(job: try Self.jobID(request))
            return WebLinks.job(retry.id)
        }
    }

    func cancelPipeline(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await self.act(request, needs: .admin) {
            let id = try Self.pipelineID(request)
            _ = try await self.pipelines.cancel(pipeline: id)
            return WebLinks.pipeline(id)
        }
    }

    /// Checks the form and the visitor's scope, runs `action`, and redirects to the page it
    /// returns; a refusal is an error page with the API's status.
    private func act(_ request: HTTPRequest, needs scope: APIScope, _ action: () async throws -> String) async throws -> HTTPResponse {
        let visitor = self.visitor(request, forms: false)
        do {
            _ = try self.checkedForm(request)
            guard visitor.may(.read) else { return self.signInRequired(request) }
            guard visitor.may(scope) else {
                throw HTTPError(.forbidden, "this needs a token with the \(scope.rawValue) scope; "
                                + (visitor.signedInAs.map { "token \($0) has \(visitor.scope?.rawValue ?? "none")" } ?? "sign in with one"))
            }
            var fields = Layout.securityFields
            fields.append(name: "Location", value: try await action())
            return HTTPResponse(status: .seeOther, fields: fields)
        } catch let error as HTTPError {
            return ErrorPage.page(error, visitor: visitor)
        }
    }

    static func jobID(_ request: HTTPRequest) throws(HTTPError) -> JobID {
        guard let text = request.parameters["id"], let id = JobID(text) else {
            throw HTTPError(.notFound, "no job '\((request.parameters["id"] ?? "").prefix(40))': job ids are positive integers")
        }
        return id
    }
}
