// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

/// What runs for a matched route.
public enum RouteHandler: Sendable {
    /// Runs on the connection's event-loop thread, between reads. For handlers that return at
    /// once without blocking (health checks, in-memory lookups): no task, no thread hop.
    case immediate(@Sendable (HTTPRequest) throws -> HTTPResponse)
    /// Runs as a task on Swift's cooperative pool; the connection waits for its response.
    case async(@Sendable (HTTPRequest) async throws -> HTTPResponse)
}

/// A registered route: a method, a path pattern and its handler.
public struct Route: Sendable {
    public var method: HTTPMethod
    public var pattern: String
    /// The largest request body accepted (after decoding); larger gets 413.
    public var bodyLimit: Int?
    public var handler: RouteHandler
}
