// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

/// Maps a method and path to a handler, with `{name}` path parameters.
///
/// ```swift
/// var router = Router()
/// router.get("/healthz") { _ in .text("ok") }
/// router.get("/v1/jobs/{id}") { request async throws in … }
/// ```
/// Paths are matched segment by segment on the raw, percent-encoded path; parameters are
/// decoded only after the match, so an encoded `/` never changes which route matches.
/// A path that exists with other methods gets 405 with `Allow`; HEAD is served by GET.
public struct Router: Sendable {
    /// The outcome of a lookup.
    public enum Match: Sendable {
        case found(Route, parameters: [String: String])
        case methodNotAllowed(allowed: [HTTPMethod])
        case notFound
    }

    private final class Node: @unchecked Sendable {
        // @unchecked: nodes are mutated only while the router is built, before it is shared.
        // Arrays searched in order, not dictionaries: a node has a handful of children and
        // methods, and comparing a few short strings is cheaper than hashing one per request.
        var literals: [(segment: String, node: Node)] = []
        var parameter: (name: String, node: Node)?
        var routes: [Route] = []

        func literal(_ segment: Substring) -> Node? {
            for literal in self.literals where literal.segment == segment { return literal.node }
            return nil
        }

        func route(for method: HTTPMethod) -> Route? {
            for route in self.routes where route.method == method { return route }
            return nil
        }
    }

    private var root = Node()
    public private(set) var routes: [Route] = []

    public init() {}

    // MARK: - Building

    /// Adds a route. Registering the same method and pattern twice is a programming error.
    public mutating func add(_ route: Route) {
        if !isKnownUniquelyReferenced(&self.root) { self.root = self.copyTree() }
        var node = self.root
        for segment in Self.segments(of: Substring(route.pattern)) {
            if segment.hasPrefix("{") && segment.hasSuffix("}") {
                let name = String(segment.dropFirst().dropLast())
                if let existing = node.parameter {
                    precondition(existing.name == name, "route \(route.pattern): parameter {\(name)} conflicts with {\(existing.name)}")
                    node = existing.node
                } else {
                    let child = Node()
                    node.parameter = (name, child)
                    node = child
                }
            } else if let child = node.literal(segment) {
                node = child
            } else {
                let child = Node()
                node.literals.append((String(segment), child))
                node = child
            }
        }
        precondition(node.route(for: route.method) == nil, "route \(route.method) \(route.pattern) registered twice")
        node.routes.append(route)
        self.routes.append(route)
    }

    /// Registers `handler` for `method` and `pattern`; the other registration functions are
    /// shorthands for this one.
    public mutating func on(_ method: HTTPMethod, _ pattern: String, bodyLimit: Int? = nil, _ handler: RouteHandler) {
        self.add(Route(method: method, pattern: pattern, bodyLimit: bodyLimit, handler: handler))
    }

    public mutating func get(_ pattern: String, _ handler: RouteHandler) {
        self.on(.get, pattern, handler)
    }

    public mutating func post(_ pattern: String, bodyLimit: Int? = nil, _ handler: RouteHandler) {
        self.on(.post, pattern, bodyLimit: bodyLimit, handler)
    }

    public mutating func on(_ method: HTTPMethod, _ pattern: String, bodyLimit: Int? = nil, immediate handler: @escaping @Sendable (HTTPRequest) throws -> HTTPResponse) {
        self.add(Route(method: method, pattern: pattern, bodyLimit: bodyLimit, handler: .immediate(handler)))
    }

    public mutating func on(_ method: HTTPMethod, _ pattern: String, bodyLimit: Int? = nil, _ handler: @escaping @Sendable (HTTPRequest) async throws -> HTTPResponse) {
        self.add(Route(method: method, pattern: pattern, bodyLimit: bodyLimit, handler: .async(handler)))
    }

    public mutating func get(_ pattern: String, immediate handler: @escaping @Sendable (HTTPRequest) throws -> HTTPResponse) {
        self.on(.get, pattern, immediate: handler)
    }

    /// Registers a GET route answered by `immediate` on the event loop when it can, else by
    /// `handler` as a task (see ``RouteHandler/immediateOrAsync(immediate:async:)``).
    public mutating func get(
        _ pattern: String,
        immediate: @escaping @Sendable (HTTPRequest) throws -> HTTPResponse?,
        otherwise handler: @escaping @Sendable (HTTPRequest) async throws -> HTTPResponse
    ) {
        self.add(Route(method: .get, pattern: pattern, bodyLimit: nil, handler: .immediateOrAsync(immediate: immediate, async: handler)))
    }

    public mutating func get(_ pattern: String, _ handler: @escaping @Sendable (HTTPRequest) async throws -> HTTPResponse) {
        self.on(.get, pattern, handler)
    }

    public mutating func post(_ pattern: String, bodyLimit: Int? = nil, _ handler: @escaping @Sendable (HTTPRequest) async throws -> HTTPResponse) {
        self.on(.post, pattern, bodyLimit: bodyLimit, handler)
    }

    public mutating func delete(_ pattern: String, _ handler: @escaping @Sendable (HTTPRequest) async throws -> HTTPResponse) {
        self.on(.delete, pattern, handler)
    }

    // MARK: - Matching

    /// Finds the route for `method` and `path` (the raw path, without query).
    public func match(_ method: HTTPMethod, path: Substring) -> Match {
        var node = self.root
        var captured: [(String, Substring)] = []
        // The segments of `path` as `segments(of:)` splits them, walked without an array.
        let utf8 = path.utf8
        var start = utf8.startIndex
        if start < utf8.endIndex, utf8[start] == UInt8(ascii: "/") { start = utf8.index(after: start) }
        // "" and "/" have no segments; otherwise every "/" starts one, a trailing one an empty one.
        var hasSegments = start < utf8.endIndex
        while hasSegments {
            let end = utf8[start...].firstIndex(of: UInt8(ascii: "/")) ?? utf8.endIndex
            let segment = path[start..<end]
            if let child = node.literal(segment) {
                node = child
            } else if let parameter = node.parameter, !segment.isEmpty {
                captured.append((parameter.name, segment))
                node = parameter.node
            } else {
                return .notFound
            }
            hasSegments = end < utf8.endIndex
            if hasSegments { start = utf8.index(after: end) }
        }
        let route = node.route(for: method) ?? (method == .head ? node.route(for: .get) : nil)
        guard let route else {
            if node.routes.isEmpty { return .notFound }
            var allowed = node.routes.map(\.method)
            if allowed.contains(.get) && !allowed.contains(.head) { allowed.append(.head) }
            return .methodNotAllowed(allowed: allowed.sorted { $0.rawValue < $1.rawValue })
        }
        var parameters: [String: String] = [:]
        for (name, raw) in captured {
            parameters[name] = PercentDecoding.decode(raw) ?? String(raw)
        }
        return .found(route, parameters: parameters)
    }

    private static func segments(of path: Substring) -> [Substring] {
        var utf8 = path.utf8[...]
        if utf8.first == UInt8(ascii: "/") { utf8 = utf8.dropFirst() }
        if utf8.isEmpty { return [] }
        return utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).map { Substring($0) }
    }

    private func copyTree() -> Node {
        func copy(_ node: Node) -> Node {
            let result = Node()
            result.routes = node.routes
            result.literals = node.literals.map { ($0.segment, copy($0.node)) }
            if let parameter = node.parameter { result.parameter = (parameter.name, copy(parameter.node)) }
            return result
        }
        return copy(self.root)
    }
}
