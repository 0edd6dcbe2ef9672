// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

import Logging

/// What both protocols do between "a request head arrived" and "a response exists": route
/// it, decide its body limit, and run its handler, turning thrown errors into responses. The
/// connections differ only in how bytes move.
enum RequestDispatch {
    /// The routing decision for one request head.
    struct Plan {
        var match: Router.Match
        /// An error decided from the head alone (404, 405, 501); sent once the body is read.
        var earlyError: HTTPError?
        /// The largest body accepted (after decoding).
        var bodyLimit: Int
    }

    static func plan(for head: HTTPRequestHead, router: Router, configuration: HTTPServerConfiguration) -> Plan {
        var earlyError: HTTPError?
        let match: Router.Match
        if !head.method.isImplemented {
            // A registered method the server never serves (RFC 9110 §9: TRACE, CONNECT; the
            // httpbis QUERY method) on a resource that exists is "not allowed here" (405 with
            // Allow), as clients and contract checkers expect; an unknown method stays 501.
            if ["TRACE", "CONNECT", "QUERY"].contains(head.method.rawValue),
               case .methodNotAllowed(let allowed) = router.match(head.method, path: head.path) {
                let allow = allowed.map(\.rawValue).joined(separator: ", ")
                earlyError = HTTPError(.methodNotAllowed, "\(head.method) is not allowed here; allowed: \(allow)", fields: ["Allow": allow])
            } else {
                earlyError = HTTPError(.notImplemented, "the method \(head.method) is not implemented by this server")
            }
            match = .notFound
        } else if head.target == "*" {
            match = .notFound
            earlyError = HTTPError(.notFound, "no resource at '*'")
        } else {
            match = router.match(head.method, path: head.path)
            switch match {
            case .found: break
            case .notFound:
                earlyError = HTTPError(.notFound, "no route for \(head.method) \(head.path.prefix(200))")
            case .methodNotAllowed(let allowed):
                let allow = allowed.map(\.rawValue).joined(separator: ", ")
                earlyError = HTTPError(.methodNotAllowed, "\(head.method) is not allowed here; allowed: \(allow)", fields: ["Allow": allow])
            }
        }
        var limit = configuration.maxBodyBytes
        if case .found(let route, _) = match, let routeLimit = route.bodyLimit { limit = routeLimit }
        // A request that is refused anyway is not worth a large upload.
        if earlyError != nil { limit = min(limit, 64 * 1024) }
        return Plan(match: match, earlyError: earlyError, bodyLimit: limit)
    }

    /// What to do with a request once its body is read.
    enum Start {
        /// Answered on the event loop: deliver this.
        case respond(HTTPResponse)
        /// Run this handler as a task.
        case run(@Sendable (HTTPRequest) async throws -> HTTPResponse)
    }

    /// Runs the part of `handler` that runs on the event loop, if any; a thrown error becomes
    /// the response.
    static func start(_ handler: RouteHandler, _ request: HTTPRequest, logger: Logger) -> Start {
        do {
            switch handler {
            case .async(let handler):
                return .run(handler)
            case .immediate(let handler):
                return .respond(try handler(request))
            case .immediateOrAsync(let immediate, let deferred):
                return try immediate(request).map(Start.respond) ?? .run(deferred)
            }
        } catch {
            return .respond(Self.errorResponse(for: error, request: request.head, logger: logger))
        }
    }

    /// Runs an async handler; a thrown error becomes its response.
    static func run(_ handler: @Sendable (HTTPRequest) async throws -> HTTPResponse, _ request: HTTPRequest, logger: Logger) async -> HTTPResponse {
        do {
            return try await handler(request)
        } catch {
            return Self.errorResponse(for: error, request: request.head, logger: logger)
        }
    }

    /// The response for an error a handler threw: an ``HTTPError`` as it says, anything else
    /// a logged 500 that reveals nothing.
    static func errorResponse(for error: Error, request head: HTTPRequestHead, logger: Logger) -> HTTPResponse {
        if let error = error as? HTTPError { return error.response }
        logger.warning("handler failed", metadata: ["method": "\(head.method)", "path": "\(head.path.prefix(200))", "error": "\(error)"])
        return HTTPError(.internalServerError, "the server failed to handle this request; the error was logged").response
    }
}
