// slipway — DockerGuard
// SPDX-License-Identifier: Apache-2.0

/// Creating containers and acting on the job's own.
extension RequestGuard {
    func containerCreate(_ request: EngineRequest, _ lookups: inout Lookups) throws(GuardRefusal) -> Forwarding {
        var body = try Self.jsonObject(request)
        var host = try Self.normalizingHostConfig(&body)
        let binds = try self.checkHostConfig(&host, creating: true, &lookups)
        body.setField("HostConfig", host)
        body.setField("Labels", try self.labelled(try body.stringMap("Labels", in: ""), in: "Labels"))
        if var networking = try body.object("NetworkingConfig", in: "") {
            try self.checkEndpoints(&networking, &lookups)
            body.setField("NetworkingConfig", networking)
        }
        return Forwarding(target: request.canonicalTarget(), body: body.serialized, response: .recordContainer(bindSources: binds))
    }

    /// `NetworkingConfig.EndpointsConfig`: the networks a new container joins, keyed by name.
    private func checkEndpoints(_ networking: inout JSONTree, _ lookups: inout Lookups) throws(GuardRefusal) {
        guard var endpoints = try networking.object("EndpointsConfig", in: "NetworkingConfig"), case .object(let members) = endpoints else { return }
        var rewritten: [JSONTree.Member] = []
        for member in members {
            if member.key == "host", self.policy.enforces(.hostNamespaces) {
                throw GuardRefusal.forbidden(.hostNamespaces, "--network=host shares the host's network namespace with the container")
            }
            if !["bridge", "none", "host", "default"].contains(member.key) {
                _ = try lookups.ownedNetwork(member.key)
            }
            var endpoint = member.value
            if case .object = endpoint, let links = try endpoint.strings("Links", in: "NetworkingConfig.EndpointsConfig.\(member.key)") {
                endpoint.setField("Links", .array(try self.ownedLinks(links, &lookups).map(JSONTree.string)))
            }
            rewritten.append(JSONTree.Member(member.key, endpoint))
        }
        endpoints = .object(rewritten)
        networking.setField("EndpointsConfig", endpoints)
    }

    func container(_ request: EngineRequest, reference: String, action: EngineEndpoint.ContainerAction, _ lookups: inout Lookups) throws(GuardRefusal) -> Forwarding {
        if action == .copy {
            throw GuardRefusal.forbidden(.endpoint, "the copy endpoint is gone since API 1.24; use docker cp (the archive endpoint)")
        }
        guard let container = try lookups.ownedContainer(reference) else { return .pendingLookups }
        let path = Self.replacingReference(in: request.path, prefix: "/containers/", reference: reference, with: container.id)
        switch action {
        case .remove:
            if request.queryFlag("link") {
                throw GuardRefusal.forbidden(.endpoint, "removing a legacy link is not served on a job's Docker socket")
            }
            // Anonymous volumes go with their container: nothing unlabelled is left behind.
            var query = request.query.filter { $0.name != "v" }
            query.append(.init("v", "1"))
            return Forwarding(target: request.canonicalTarget(path: path, query: query))
        case .start, .restart:
            try self.recheckWorkspaceBinds(container, &lookups)
            return Forwarding(target: request.canonicalTarget(path: path))
        case .update:
            var body = try Self.jsonObject(request)
            _ = try self.checkHostConfig(&body, creating: false, &lookups)
            if self.policy.enforces(.restartPolicies), self.hasWorkspaceSubpath(container.bindSources),
               let policy = try body.object("RestartPolicy", in: ""), let name = try policy.string("Name", in: "RestartPolicy"), !name.isEmpty, name != "no" {
                throw GuardRefusal.forbidden(.restartPolicies, "a container that bind-mounts a directory inside the workspace cannot get a restart policy ('\(name)')")
            }
            return Forwarding(target: request.canonicalTarget(path: path), body: body.serialized)
        case .exec:
            let body = try Self.jsonObject(request)
            if self.policy.enforces(.privileged), try body.bool("Privileged", in: "") == true {
                throw GuardRefusal.forbidden(.privileged, "privileged exec (docker exec --privileged) has full access to the host")
            }
            return Forwarding(target: request.canonicalTarget(path: path), body: body.serialized, response: .recordExec)
        default:
            return Forwarding(target: request.canonicalTarget(path: path))
        }
    }

    /// Before the engine mounts a container's binds again (start, restart), the paths below the
    /// workspace are checked again: the job may have replaced one with a symbolic link since.
    private func recheckWorkspaceBinds(_ container: ObjectFacts, _ lookups: inout Lookups) throws(GuardRefusal) {
        guard self.policy.enforces(.bindMounts) else { return }
        let workspace = Self.normalizedHostPath(self.policy.workspace) ?? self.policy.workspace
        for source in container.bindSources {
            guard let normal = Self.normalizedHostPath(source), normal != workspace, Self.isSameOrBelow(normal, workspace) else { continue }
            if case .pathEscapes(let reason)? = lookups.resolution(.workspacePath(normal)) {
                throw GuardRefusal.forbidden(.bindMounts, "the container's bind mount of \(normal) no longer stays inside the workspace: \(reason)")
            }
        }
    }

    /// `POST /commit?container=…`: an image from the job's own container.
    func commit(_ request: EngineRequest, _ lookups: inout Lookups) throws(GuardRefusal) -> Forwarding {
        guard let reference = request.queryValue("container"), !reference.isEmpty else {
            throw GuardRefusal.badRequest("commit needs a container")
        }
        guard let container = try lookups.ownedContainer(reference) else { return .pendingLookups }
        var query = request.query.filter { $0.name != "container" }
        query.append(.init("container", container.id))
        let tags = request.queryValue("repo").flatMap { ImageReference.normalizedTag(repository: $0, tag: request.queryValue("tag")) }
        return Forwarding(target: request.canonicalTarget(query: query), response: tags.map { .recordTags([$0]) } ?? .relay)
    }
}
