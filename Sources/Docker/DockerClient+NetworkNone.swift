// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials

// `NetworkMode: none` at half the start time.
//
// For a `none` container the engine still builds a libnetwork sandbox at `start`: a network
// namespace of its own making, and a runc prestart hook (`libnetwork-setkey`) that executes
// dockerd again. On Debian's Engine 20.10 (2 cores) that is half of `start`: 222 ms against
// 96 ms for the same container created with `NetworkDisabled` (medians of 17 runs,
// slipway-bench docker --network disabled --verbose). runc then gives the container a new
// network namespace with only `lo` (up), so the isolation is the same as `none`'s. What the
// sandbox also did, and `NetworkDisabled` does not, is write `/etc/hosts`: without it
// `localhost` does not resolve, which jobs rely on. So the container gets the file Docker
// writes for `none` through `PUT /containers/{id}/archive` after the create: it lands in the
// container's own layer (writable, per container, nothing to clean up) and works for a remote
// engine. The put costs about 60 ms (9 ms → 72 ms for create plus put; the engine executes
// dockerd again to extract in a chroot), so the net gain is about 60 ms per container.
// `/etc/resolv.conf` is left as the image has it (usually empty): with nothing but `lo`, no
// name server is reachable either way.

extension ContainerCreateRequest {
    /// Whether ``DockerClient/createContainerSkippingNetworkSandbox(_:name:)`` creates this
    /// request with ``networkDisabled``: its network mode is `none`, it leaves
    /// ``networkDisabled`` unset, and it asks for nothing only the sandbox provides or that
    /// rules out the `/etc/hosts` put (``HostConfig/extraHosts``, a read-only root file
    /// system).
    public var skipsNetworkSandbox: Bool {
        guard self.networkDisabled == nil, let hostConfig = self.hostConfig, hostConfig.networkMode == "none" else { return false }
        return (hostConfig.extraHosts ?? []).isEmpty && hostConfig.readonlyRootfs != true
    }

    /// The request ``DockerClient/createContainerSkippingNetworkSandbox(_:name:)`` sends: with
    /// ``networkDisabled`` `true` when ``skipsNetworkSandbox``, otherwise unchanged.
    public var withNetworkSandboxSkipped: ContainerCreateRequest {
        guard self.skipsNetworkSandbox else { return self }
        var request = self
        request.networkDisabled = true
        return request
    }
}

extension DockerClient {
    /// The `/etc/hosts` Docker Engine 20.10 writes for a `--network none` container, byte for
    /// byte: the loopback names and the IPv6 multicast names, and no line for the container's
    /// hostname (it has no address).
    public static let networkNoneHostsFile = """
        127.0.0.1\tlocalhost
        ::1\tlocalhost ip6-localhost ip6-loopback
        fe00::0\tip6-localnet
        ff00::0\tip6-mcastprefix
        ff02::1\tip6-allnodes
        ff02::2\tip6-allrouters

        """

    /// `POST /containers/create`, with a `none` network made the cheap way: a request that
    /// ``ContainerCreateRequest/skipsNetworkSandbox`` is created with `NetworkDisabled` and
    /// then given ``networkNoneHostsFile`` as `/etc/hosts` (mode 0644, owned by the
    /// container's root), so it looks like a `--network none` container from inside and
    /// starts in about half the time. Any other request is created as
    /// ``createContainer(_:name:platform:)`` does.
    ///
    /// If the `/etc/hosts` put fails, the container is removed again and the put's error is
    /// thrown.
    public func createContainerSkippingNetworkSandbox(_ request: ContainerCreateRequest, name: String? = nil) async throws(DockerError) -> ContainerCreateResponse {
        guard request.skipsNetworkSandbox else { return try await self.createContainer(request, name: name) }
        let created = try await self.createContainer(request.withNetworkSandboxSkipped, name: name)
        do {
            try await self.putArchive(created.id, path: "/", tar: .bytes(Self.networkNoneHostsArchive()))
        } catch {
            // Removed in a task of its own: the cancellation that may have failed the put must
            // not also stop the clean-up.
            let id = created.id
            await Task { _ = try? await self.removeContainer(id, force: true, removeVolumes: true, idempotent: true) }.value
            throw error
        }
        return created
    }

    /// A tar of `etc/hosts` alone, extracted at `/`: the engine creates `/etc` if the image
    /// has none.
    static func networkNoneHostsArchive() -> [UInt8] {
        var tar = TarWriter()
        let now = Int64(Date().timeIntervalSince1970)
        // Cannot fail: a short path, a regular file and its exact contents.
        try? tar.addFile("etc/hosts", contents: Array(Self.networkNoneHostsFile.utf8), mode: 0o644, modificationTime: now)
        return tar.finish()
    }
}
