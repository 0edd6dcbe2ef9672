// slipway — DockerGuard
// SPDX-License-Identifier: Apache-2.0

/// The rules of a job's guarded Docker socket: a request in, a ``GuardDecision`` out, no I/O.
///
/// - Every endpoint is on a list; anything else (swarm, plugins, unknown paths) is refused
///   (rule `endpoint`).
/// - Containers, volumes, networks and exec instances are the job's when they carry its labels
///   (``GuardPolicy/ownerLabels``). What another job owns is answered with the engine's own
///   404, as if it did not exist: a job cannot even learn what others run. References by name
///   are looked up and replaced by the ID they resolved to, so the engine acts on exactly the
///   object that was checked.
/// - Lists, events and prunes are scoped to the job with label filters; `/system/df` leaves
///   others' containers and volumes out.
/// - Everything the job creates gets its labels; labels in slipway's namespace are refused.
/// - Creates are checked field by field (`RequestGuard+HostConfig.swift`) and rewritten: the
///   pool's limits applied, `/var/run/docker.sock` pointed at the job's own guarded socket.
/// - Images are shared: pull, build, tag, push and inspect pass; removing one is allowed only
///   for tags the job created.
///
/// A request that needs objects looked up returns ``GuardDecision/lookUp(_:)``; the caller
/// resolves them and calls ``decide(_:resolved:)`` again with the answers.
public struct RequestGuard: Sendable {
    public var policy: GuardPolicy

    public init(policy: GuardPolicy) {
        self.policy = policy
    }

    /// Collections of objects a job's socket never has (swarm objects, plugins).
    static let absentCollections = ["/plugins/", "/services/", "/tasks/", "/nodes/", "/secrets/", "/configs/"]

    /// The largest request body the rules read (a create's JSON is a few kilobytes).
    public static let maximumInspectedBodyBytes = 1 << 20

    /// Whether the rules read the request's JSON body; the caller collects and parses it into
    /// ``EngineRequest/body`` first.
    public static func readsBody(_ endpoint: EngineEndpoint) -> Bool {
        switch endpoint {
        case .containerCreate, .container(_, .update), .container(_, .exec), .volumeCreate, .networkCreate,
             .network(_, .connect), .network(_, .disconnect):
            true
        default:
            false
        }
    }

    public func decide(_ request: EngineRequest, resolved: [ObjectReference: Resolution] = [:]) -> GuardDecision {
        var lookups = Lookups(resolved: resolved, policy: self.policy)
        do {
            let forwarding = try self.rules(for: request, &lookups)
            if !lookups.missing.isEmpty { return .lookUp(lookups.missing) }
            return .forward(forwarding)
        } catch {
            return .refuse(error)
        }
    }

    private func rules(for request: EngineRequest, _ lookups: inout Lookups) throws(GuardRefusal) -> Forwarding {
        switch request.endpoint {
        case .unsupported where (request.method == .get || request.method == .head) && Self.absentCollections.contains { request.path.hasPrefix($0) }:
            // `docker inspect NAME` asks every kind of object in turn and moves on at a 404.
            throw GuardRefusal(.notFound, "slipway guard: \(request.path.split(separator: "/").first ?? "object") not found: a job's Docker socket serves no swarm or plugin objects")
        case .unsupported:
            throw GuardRefusal.forbidden(.endpoint, "\(request.method) \(request.path) is not served on a job's Docker socket (use the dind worker for swarm, plugins and the like)")
        case .ping, .version, .info, .auth, .imageList, .imageSearch, .imagesExport, .imageLoad, .buildCancel, .distribution, .session, .grpc,
             .image(_, .inspect), .image(_, .history), .image(_, .export), .image(_, .push):
            return Forwarding(target: request.canonicalTarget())
        case .events, .containerList, .volumeList, .networkList, .containerPrune, .volumePrune, .networkPrune:
            return Forwarding(target: request.canonicalTarget(query: try self.scopedQuery(request)))
        case .dataUsage:
            return Forwarding(target: request.canonicalTarget(), response: .filterDataUsage)
        case .imagePrune, .buildPrune:
            if self.policy.enforces(.sharedCache) {
                throw GuardRefusal.forbidden(.sharedCache, "the image store and build cache are shared by every job on this engine and cannot be pruned from a job")
            }
            return Forwarding(target: request.canonicalTarget())
        case .imageCreate:
            return self.imageCreate(request)
        case .image(let name, .tag):
            return try self.imageTag(request, name: name)
        case .image(let name, .remove):
            return try self.imageRemove(request, name: name, &lookups)
        case .build:
            return try self.build(request, &lookups)
        case .commit:
            return try self.commit(request, &lookups)
        case .containerCreate:
            return try self.containerCreate(request, &lookups)
        case .container(let reference, let action):
            return try self.container(request, reference: reference, action: action, &lookups)
        case .exec(let reference, _):
            guard let exec = try lookups.ownedExec(reference) else { return .pendingLookups }
            return Forwarding(target: request.canonicalTarget(path: Self.replacingReference(in: request.path, prefix: "/exec/", reference: reference, with: exec.id)))
        case .volumeCreate:
            return try self.volumeCreate(request, &lookups)
        case .volume(let name, _):
            guard try lookups.ownedVolume(name) != nil else { return .pendingLookups }
            return Forwarding(target: request.canonicalTarget())
        case .networkCreate:
            return try self.networkCreate(request)
        case .network(let reference, let action):
            return try self.network(request, reference: reference, action: action, &lookups)
        }
    }

    /// `path` with the `{name}` after `prefix` replaced by `id`.
    static func replacingReference(in path: String, prefix: String, reference: String, with id: String) -> String {
        precondition(path.hasPrefix(prefix + reference))
        return prefix + id + path.dropFirst(prefix.count + reference.count)
    }

    /// The request's body as an object, or a 400.
    static func jsonObject(_ request: EngineRequest) throws(GuardRefusal) -> JSONTree {
        guard let body = request.body, case .object = body else {
            throw GuardRefusal.badRequest("the request body must be a JSON object")
        }
        return body
    }

    // MARK: - Labels

    /// `labels` (a `Labels` object) checked for slipway's namespace and given the job's labels.
    func labelled(_ labels: [(key: String, value: String)]?, in path: String) throws(GuardRefusal) -> JSONTree {
        var members: [JSONTree.Member] = []
        for (key, value) in labels ?? [] {
            if key.hasPrefix(self.policy.reservedLabelPrefix) {
                throw GuardRefusal.forbidden(.reservedLabels, "\(path) '\(key)': labels starting with '\(self.policy.reservedLabelPrefix)' are slipway's own")
            }
            members.removeAll { $0.key == key }
            members.append(JSONTree.Member(key, .string(value)))
        }
        for key in self.policy.creationLabels.keys.sorted() {
            members.append(JSONTree.Member(key, .string(self.policy.creationLabels[key]!)))
        }
        return .object(members)
    }

    // MARK: - Scoping lists, events and prunes

    /// The query with the job's label filters added to `filters` (labels are AND-ed by the
    /// engine), in the engine's `map[string][]string` form; every other `filters` value is
    /// dropped (the engine reads only the first).
    func scopedQuery(_ request: EngineRequest) throws(GuardRefusal) -> [EngineRequest.QueryItem] {
        var filters: [(key: String, values: [String])] = []
        if let text = request.queryValue("filters"), !text.isEmpty {
            let tree: JSONTree
            do {
                tree = try JSONTree.parse(Array(text.utf8))
            } catch {
                throw GuardRefusal.badRequest("the filters parameter is not JSON: \(error)")
            }
            guard case .object(let members) = tree else { throw GuardRefusal.badRequest("the filters parameter must be a JSON object") }
            for member in members {
                var values: [String] = []
                switch member.value {
                case .array:
                    values = try JSONTree.stringList(member.value, "filters.\(member.key)")
                case .object(let flags):
                    // The older `{"label": {"a=b": true}}` form: every key is a value.
                    values = flags.map(\.key)
                case .null:
                    values = []
                default:
                    throw GuardRefusal.badRequest("filters.\(member.key) must be a list of strings")
                }
                if let index = filters.firstIndex(where: { $0.key == member.key }) {
                    filters[index].values = values
                } else {
                    filters.append((member.key, values))
                }
            }
        }
        if let index = filters.firstIndex(where: { $0.key == "label" }) {
            filters[index].values += self.policy.ownerFilters
        } else {
            filters.append(("label", self.policy.ownerFilters))
        }
        let json = JSONTree.object(filters.map { JSONTree.Member($0.key, .array($0.values.map(JSONTree.string))) })
        var query = request.query.filter { $0.name != "filters" }
        query.append(.init("filters", String(decoding: json.serialized, as: UTF8.self)))
        return query
    }
}

/// The lookups one decision needs: answers already known, and what is still missing.
struct Lookups {
    let resolved: [ObjectReference: Resolution]
    let policy: GuardPolicy
    var missing: [ObjectReference] = []

    init(resolved: [ObjectReference: Resolution], policy: GuardPolicy) {
        self.resolved = resolved
        self.policy = policy
    }

    /// The resolution of `reference`, or `nil` (and noted as missing) when not looked up yet.
    mutating func resolution(_ reference: ObjectReference) -> Resolution? {
        if let resolution = self.resolved[reference] { return resolution }
        if !self.missing.contains(reference) { self.missing.append(reference) }
        return nil
    }

    /// The facts of a container the job owns; `nil` while unknown. Others' are absent (404).
    mutating func ownedContainer(_ reference: String) throws(GuardRefusal) -> ObjectFacts? {
        guard let resolution = self.resolution(.container(reference)) else { return nil }
        if case .found(let facts) = resolution, self.policy.owns(labels: facts.labels) { return facts }
        throw GuardRefusal.noSuchContainer(reference)
    }

    mutating func ownedExec(_ reference: String) throws(GuardRefusal) -> ObjectFacts? {
        guard let resolution = self.resolution(.exec(reference)) else { return nil }
        if case .found(let facts) = resolution, self.policy.owns(labels: facts.labels) { return facts }
        throw GuardRefusal.noSuchExec(reference)
    }

    mutating func ownedVolume(_ name: String) throws(GuardRefusal) -> ObjectFacts? {
        guard let resolution = self.resolution(.volume(name)) else { return nil }
        if case .found(let facts) = resolution, self.policy.owns(labels: facts.labels) { return facts }
        throw GuardRefusal.noSuchVolume(name)
    }

    mutating func ownedNetwork(_ reference: String) throws(GuardRefusal) -> ObjectFacts? {
        guard let resolution = self.resolution(.network(reference)) else { return nil }
        if case .found(let facts) = resolution, self.policy.owns(labels: facts.labels) { return facts }
        throw GuardRefusal.noSuchNetwork(reference)
    }

    /// A named volume for a new container: the job's own, or newly created for it. A name
    /// another job uses is a conflict (names are global on the engine).
    mutating func claimedVolume(_ name: String) throws(GuardRefusal) {
        guard let resolution = self.resolution(.volumeClaim(name)) else { return }
        if case .found(let facts) = resolution, self.policy.owns(labels: facts.labels) { return }
        throw GuardRefusal(.conflict, "slipway guard: the volume name \(name) is in use on this engine by something other than this job; choose another name")
    }
}
