// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

/// What runs for a matched route.
public enum RouteHandler: Sendable {
    /// Runs on the connection's event-loop thread, between reads. For handlers that return at
    /// once without blocking (health checks, in-memory lookups): no task, no thread hop.
    case immediate(@Sendable (HTTPRequest) throws -> HTTPResponse)
    /// Runs as a task on Swift's cooperative pool; the connection waits for its response.
    case async(@Sendable (HTTPRequest) async throws -> HTTPResponse)
    /// Tries `immediate` on the event-loop thread and, when it returns nil (this request has to
    /// wait, such as a long poll), runs `async` as a task instead. For endpoints whose common
    /// case answers at once: it saves the task and the hops to the pool and back.
    case immediateOrAsync(
        immediate: @Sendable (HTTPRequest) throws -> HTTPResponse?,
        async: @Sendable (HTTPRequest) async throws -> HTTPResponse)
}

extension RouteHandler {
    /// The same handler with `check` run first, on the same thread and in the same way (on the
    /// event loop for an immediate handler): it answers (a response), refuses (throws) or lets
    /// the request through (nil). Access checks and redirects are written once this way, for
    /// every kind of handler.
    public func checked(by check: @escaping @Sendable (HTTPRequest) throws -> HTTPResponse?) -> RouteHandler {
        switch self {
        case .immediate(let body):
            return .immediate { request in try check(request) ?? body(request) }
        case .async(let body):
            return .async { request in
                if let answer = try check(request) { return answer }
                return try await body(request)
            }
        case .immediateOrAsync(let immediate, let async):
            return .immediateOrAsync(
                immediate: { request in try check(request) ?? immediate(request) },
                async: { request in
                    if let answer = try check(request) { return answer }
                    return try await async(request)
                })
        }
    }
}

/// A registered route: a method, a path pattern and its handler.
///
/// A class, not a struct: every request passes its route along several times, and copying a
/// struct would retain each string and closure in it every time (a class reference is one).
public final class Route: Sendable {
    public let method: HTTPMethod
    public let pattern: String
    /// The largest request body accepted (after decoding); larger gets 413.
    public let bodyLimit: Int?
    public let handler: RouteHandler

    init(method: HTTPMethod, pattern: String, bodyLimit: Int?, handler: RouteHandler) {
        self.method = method
        self.pattern = pattern
        self.bodyLimit = bodyLimit
        self.handler = handler
    }
}
