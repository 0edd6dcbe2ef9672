// slipway — DockerGuard
// SPDX-License-Identifier: Apache-2.0

/// Images, builds, volumes and networks.
extension RequestGuard {
    // MARK: - Images (shared)

    /// Pulls pass; an import (`fromSrc`) records the tag it makes.
    func imageCreate(_ request: EngineRequest) -> Forwarding {
        guard request.queryValue("fromSrc") != nil, let repository = request.queryValue("repo"),
              let tag = ImageReference.normalizedTag(repository: repository, tag: request.queryValue("tag"))
        else { return Forwarding(target: request.canonicalTarget()) }
        return Forwarding(target: request.canonicalTarget(), response: .recordTagsAfterStream([tag]))
    }

    func imageTag(_ request: EngineRequest, name: String) throws(GuardRefusal) -> Forwarding {
        guard let repository = request.queryValue("repo"), let tag = ImageReference.normalizedTag(repository: repository, tag: request.queryValue("tag")) else {
            return Forwarding(target: request.canonicalTarget())
        }
        return Forwarding(target: request.canonicalTarget(), response: .recordTags([tag]))
    }

    /// Only tags the job created, sent fully qualified so that the engine cannot read them as
    /// an image ID prefix.
    func imageRemove(_ request: EngineRequest, name: String, _ lookups: inout Lookups) throws(GuardRefusal) -> Forwarding {
        guard self.policy.enforces(.imageRemoval) else { return Forwarding(target: request.canonicalTarget()) }
        guard let tag = ImageReference.normalizedTag(name) else {
            throw GuardRefusal.forbidden(.imageRemoval, "images are shared by every job on this engine: remove an image by a tag this job created, not by ID or digest (\(name.prefix(80)))")
        }
        guard let resolution = lookups.resolution(.imageTag(tag)) else { return .pendingLookups }
        guard case .found = resolution else {
            throw GuardRefusal.forbidden(.imageRemoval, "images are shared by every job on this engine: this job did not create the tag \(tag), so it cannot remove it")
        }
        return Forwarding(target: request.canonicalTarget(path: "/images/\(ImageReference.qualified(tag))"))
    }

    /// Builds run their steps as the engine likes, except in the host's namespaces or cgroups.
    func build(_ request: EngineRequest, _ lookups: inout Lookups) throws(GuardRefusal) -> Forwarding {
        let networkMode = request.queryValue("networkmode") ?? ""
        if self.policy.enforces(.hostNamespaces), networkMode == "host" || networkMode.hasPrefix("container:") {
            throw GuardRefusal.forbidden(.hostNamespaces, "docker build --network=\(networkMode.prefix(80)) would run build steps in another namespace than their own")
        }
        if !["", "default", "bridge", "none", "host"].contains(networkMode), !networkMode.hasPrefix("container:") {
            _ = try lookups.ownedNetwork(networkMode)
        }
        if self.policy.enforces(.cgroupParent), let parent = request.queryValue("cgroupparent"), !parent.isEmpty {
            throw GuardRefusal.forbidden(.cgroupParent, "docker build --cgroup-parent would move build steps out from under the job's limits")
        }
        let tags = request.queryValues("t").compactMap(ImageReference.normalizedTag)
        return Forwarding(target: request.canonicalTarget(), response: tags.isEmpty ? .relay : .recordTagsAfterStream(tags))
    }

    // MARK: - Volumes

    func volumeCreate(_ request: EngineRequest, _ lookups: inout Lookups) throws(GuardRefusal) -> Forwarding {
        var body = try Self.jsonObject(request)
        try self.checkVolumeDriver(driver: try body.string("Driver", in: ""), options: try body.stringMap("DriverOpts", in: ""))
        body.setField("Labels", try self.labelled(try body.stringMap("Labels", in: ""), in: "Labels"))
        if let name = try body.string("Name", in: ""), !name.isEmpty {
            // Creating an existing volume returns it: someone else's must not come back as ours.
            switch lookups.resolution(.volume(name)) {
            case .found(let facts)? where !self.policy.owns(labels: facts.labels):
                throw GuardRefusal(.conflict, "slipway guard: the volume name \(name) is in use on this engine by something other than this job; choose another name")
            default:
                break
            }
        }
        return Forwarding(target: request.canonicalTarget(), body: body.serialized)
    }

    // MARK: - Networks

    func networkCreate(_ request: EngineRequest) throws(GuardRefusal) -> Forwarding {
        var body = try Self.jsonObject(request)
        if self.policy.enforces(.networkDrivers) {
            let driver = try body.string("Driver", in: "") ?? ""
            guard driver.isEmpty || driver == "bridge" else {
                throw GuardRefusal.forbidden(.networkDrivers, "the network driver '\(driver.prefix(64))' is not available to jobs; use bridge")
            }
            let ingress = try body.bool("Ingress", in: "") ?? false
            let configOnly = try body.bool("ConfigOnly", in: "") ?? false
            let configFrom = try body.object("ConfigFrom", in: "")
            let scope = try body.string("Scope", in: "") ?? ""
            if ingress || configOnly || configFrom != nil || scope == "swarm" || scope == "global" {
                throw GuardRefusal.forbidden(.networkDrivers, "swarm networks are not available to jobs")
            }
            if let options = try body.stringMap("Options", in: ""), options.contains(where: { $0.key == "com.docker.network.bridge.name" }) {
                throw GuardRefusal.forbidden(.networkDrivers, "a network may not name its bridge interface (com.docker.network.bridge.name): it could join one of the host's")
            }
        }
        body.setField("Labels", try self.labelled(try body.stringMap("Labels", in: ""), in: "Labels"))
        return Forwarding(target: request.canonicalTarget(), body: body.serialized)
    }

    func network(_ request: EngineRequest, reference: String, action: EngineEndpoint.NetworkAction, _ lookups: inout Lookups) throws(GuardRefusal) -> Forwarding {
        guard let network = try lookups.ownedNetwork(reference) else { return .pendingLookups }
        let path = Self.replacingReference(in: request.path, prefix: "/networks/", reference: reference, with: network.id)
        switch action {
        case .inspect, .remove:
            return Forwarding(target: request.canonicalTarget(path: path))
        case .connect, .disconnect:
            var body = try Self.jsonObject(request)
            guard let container = try body.string("Container", in: ""), !container.isEmpty else {
                throw GuardRefusal.badRequest("the body names no Container")
            }
            if let facts = try lookups.ownedContainer(container) { body.setField("Container", .string(facts.id)) }
            if var endpoint = try body.object("EndpointConfig", in: ""), let links = try endpoint.strings("Links", in: "EndpointConfig") {
                endpoint.setField("Links", .array(try self.ownedLinks(links, &lookups).map(JSONTree.string)))
                body.setField("EndpointConfig", endpoint)
            }
            return Forwarding(target: request.canonicalTarget(path: path), body: body.serialized)
        }
    }
}
