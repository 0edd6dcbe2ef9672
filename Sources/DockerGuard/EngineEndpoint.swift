// slipway — DockerGuard
// SPDX-License-Identifier: Apache-2.0

import HTTP

/// An Engine API endpoint, decided from the method and the decoded path (without its version
/// prefix) the way the engine's router decides it: exact paths first, then `{name:.*}`
/// patterns whose name is everything between the prefix and the final action segment.
public enum EngineEndpoint: Sendable, Hashable {
    case ping, version, info, events, dataUsage, auth
    case containerList, containerCreate, containerPrune
    case container(String, ContainerAction)
    case exec(String, ExecAction)
    case imageList, imageSearch, imagesExport, imageLoad, imageCreate, imagePrune
    case image(String, ImageAction)
    case build, buildPrune, buildCancel, commit
    case volumeList, volumeCreate, volumePrune
    case volume(String, ObjectAction)
    case networkList, networkCreate, networkPrune
    case network(String, NetworkAction)
    /// BuildKit's client session and gRPC control API: connection upgrades.
    case session, grpc
    case distribution(String)
    /// Anything else: swarm, plugins, secrets, unknown paths and methods.
    case unsupported

    public enum ContainerAction: String, Sendable, Hashable, CaseIterable {
        case inspect = "json", top, logs, changes, export, stats, attachWebSocket = "attach/ws"
        case getArchive, statArchive, putArchive
        case kill, pause, unpause, restart, start, stop, wait, resize, attach, exec, rename, update, copy
        case remove
    }

    public enum ExecAction: String, Sendable, Hashable {
        case start, resize, inspect = "json"
    }

    public enum ImageAction: String, Sendable, Hashable {
        case inspect = "json", history, export = "get", push, tag, remove
    }

    public enum ObjectAction: Sendable, Hashable {
        case inspect, remove
    }

    public enum NetworkAction: String, Sendable, Hashable {
        case inspect, remove, connect, disconnect
    }

    /// The routes with a `{name:.*}` followed by an action segment, per collection.
    private static let containerActions: [(method: HTTPMethod, suffix: String, action: ContainerAction)] = [
        (.get, "json", .inspect), (.get, "top", .top), (.get, "logs", .logs), (.get, "changes", .changes),
        (.get, "export", .export), (.get, "stats", .stats), (.get, "attach/ws", .attachWebSocket),
        (.get, "archive", .getArchive), (.head, "archive", .statArchive), (.put, "archive", .putArchive),
        (.post, "kill", .kill), (.post, "pause", .pause), (.post, "unpause", .unpause), (.post, "restart", .restart),
        (.post, "start", .start), (.post, "stop", .stop), (.post, "wait", .wait), (.post, "resize", .resize),
        (.post, "attach", .attach), (.post, "exec", .exec), (.post, "rename", .rename), (.post, "update", .update),
        (.post, "copy", .copy),
    ]

    private static let imageActions: [(method: HTTPMethod, suffix: String, action: ImageAction)] = [
        (.get, "get", .export), (.get, "history", .history), (.get, "json", .inspect), (.post, "push", .push), (.post, "tag", .tag),
    ]

    /// Classifies a request. `path` is percent-decoded and has no version prefix.
    public init(method: HTTPMethod, path: String) {
        self = Self.exact(method: method, path: path) ?? Self.pattern(method: method, path: path) ?? .unsupported
    }

    private static func exact(method: HTTPMethod, path: String) -> EngineEndpoint? {
        switch (method.rawValue, path) {
        case ("GET", "/_ping"), ("HEAD", "/_ping"): .ping
        case ("GET", "/version"): .version
        case ("GET", "/info"): .info
        case ("GET", "/events"): .events
        case ("GET", "/system/df"): .dataUsage
        case ("POST", "/auth"): .auth
        case ("GET", "/containers/json"): .containerList
        case ("POST", "/containers/create"): .containerCreate
        case ("POST", "/containers/prune"): .containerPrune
        case ("GET", "/images/json"): .imageList
        case ("GET", "/images/search"): .imageSearch
        case ("GET", "/images/get"): .imagesExport
        case ("POST", "/images/load"): .imageLoad
        case ("POST", "/images/create"): .imageCreate
        case ("POST", "/images/prune"): .imagePrune
        case ("POST", "/build"): .build
        case ("POST", "/build/prune"): .buildPrune
        case ("POST", "/build/cancel"): .buildCancel
        case ("POST", "/commit"): .commit
        case ("GET", "/volumes"): .volumeList
        case ("POST", "/volumes/create"): .volumeCreate
        case ("POST", "/volumes/prune"): .volumePrune
        case ("GET", "/networks"), ("GET", "/networks/"): .networkList
        case ("POST", "/networks/create"): .networkCreate
        case ("POST", "/networks/prune"): .networkPrune
        case ("POST", "/session"): .session
        case ("POST", "/grpc"): .grpc
        default: nil
        }
    }

    private static func pattern(method: HTTPMethod, path: String) -> EngineEndpoint? {
        if let rest = self.remainder(of: path, after: "/containers/") {
            if method == .delete { return .container(rest, .remove) }
            for route in self.containerActions where route.method == method {
                if let name = self.name(in: rest, before: route.suffix) { return .container(name, route.action) }
            }
            return nil
        }
        if let rest = self.remainder(of: path, after: "/exec/") {
            switch method {
            case .post:
                if let name = self.name(in: rest, before: "start") { return .exec(name, .start) }
                if let name = self.name(in: rest, before: "resize") { return .exec(name, .resize) }
            case .get:
                if let name = self.name(in: rest, before: "json") { return .exec(name, .inspect) }
            default: break
            }
            return nil
        }
        if let rest = self.remainder(of: path, after: "/images/") {
            if method == .delete { return .image(rest, .remove) }
            for route in self.imageActions where route.method == method {
                if let name = self.name(in: rest, before: route.suffix) { return .image(name, route.action) }
            }
            return nil
        }
        if let rest = self.remainder(of: path, after: "/volumes/") {
            switch method {
            case .get: return .volume(rest, .inspect)
            case .delete: return .volume(rest, .remove)
            default: return nil
            }
        }
        if let rest = self.remainder(of: path, after: "/networks/") {
            switch method {
            case .get: return .network(rest, .inspect)
            case .delete: return .network(rest, .remove)
            case .post:
                if let name = self.name(in: rest, before: "connect") { return .network(name, .connect) }
                if let name = self.name(in: rest, before: "disconnect") { return .network(name, .disconnect) }
                return nil
            default: return nil
            }
        }
        if method == .get, let rest = self.remainder(of: path, after: "/distribution/"), let name = self.name(in: rest, before: "json") {
            return .distribution(name)
        }
        return nil
    }

    /// What follows `prefix`, when something does.
    private static func remainder(of path: String, after prefix: String) -> String? {
        guard path.hasPrefix(prefix), path.utf8.count > prefix.utf8.count else { return nil }
        return String(path.dropFirst(prefix.count))
    }

    /// `name` in `name/suffix`, when the name is not empty.
    private static func name(in rest: String, before suffix: String) -> String? {
        let tail = "/" + suffix
        guard rest.hasSuffix(tail), rest.utf8.count > tail.utf8.count else { return nil }
        return String(rest.dropLast(tail.count))
    }

    /// Whether the engine answers by taking over the connection (101, or a 200 without framing).
    public var mayUpgrade: Bool {
        switch self {
        case .container(_, .attach), .container(_, .attachWebSocket), .exec(_, .start), .session, .grpc: true
        default: false
        }
    }
}
