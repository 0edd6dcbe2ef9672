// slipway — Docker tests
// SPDX-License-Identifier: Apache-2.0

import Docker
import Testing
import TestSupport

/// Tests against the real private Docker daemon (see ``DockerTestEnvironment``). Serialized:
/// the machine has two cores, and the streaming test measures this process's memory.
/// Skipped (visibly) only with SLIPWAY_SKIP_DOCKER=1.
@Suite("Docker engine (live)", .serialized, .disabled(if: DockerTestEnvironment.isSkipped, DockerTestEnvironment.skipComment))
struct DockerLiveTests {}

extension DockerLiveTests {
    /// A busybox container config with no network and the test labels.
    static func busybox(_ command: [String], run: String, configure: (inout ContainerCreateRequest) -> Void = { _ in }) -> ContainerCreateRequest {
        var request = ContainerCreateRequest(image: DockerTestEnvironment.busyboxImage, cmd: command, labels: DockerTestEnvironment.labels(run: run))
        request.hostConfig = HostConfig(networkMode: "none")
        configure(&request)
        return request
    }

    /// Creates a container, runs `body` with its ID, and force-removes it (with its anonymous
    /// volumes) whatever happens.
    static func withContainer<T>(_ docker: DockerClient, _ request: ContainerCreateRequest, name: String? = nil, _ body: (String) async throws -> T) async throws -> T {
        let id = try await docker.createContainer(request, name: name).id
        do {
            let result = try await body(id)
            try await docker.removeContainer(id, force: true, removeVolumes: true, idempotent: true)
            return result
        } catch {
            _ = try? await docker.removeContainer(id, force: true, removeVolumes: true, idempotent: true)
            throw error
        }
    }
}
