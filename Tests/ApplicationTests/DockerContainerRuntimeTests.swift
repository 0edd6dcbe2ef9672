// slipway — Application tests
// SPDX-License-Identifier: Apache-2.0

@testable import Application
import Docker
import Foundation
import Jobs
import Testing

@Suite("container specification → create request")
struct DockerContainerRuntimeTests {
    static func specification(network: String) -> ContainerSpecification {
        ContainerSpecification(
            name: "slipway-job-1-abc", image: "busybox", entrypoint: ["/bin/sh", "-e", "-c"], command: ["true"],
            environment: ["CI=true"], workingDirectory: "/w", labels: ["slipway.job": "1"],
            mounts: [.init(kind: .bind, source: "/var/run/docker.sock", target: "/var/run/docker.sock"), .init(kind: .tmpfs, source: "", target: "/run")],
            networkMode: network, memoryBytes: 1 << 30, nanoCPUs: 1_500_000_000
        )
    }

    static func json(_ request: ContainerCreateRequest) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(request), as: UTF8.self)
    }

    @Test("network none is created with NetworkDisabled, keeping NetworkMode none")
    func networkNoneSkipsTheSandbox() throws {
        let request = DockerContainerRuntime.request(for: Self.specification(network: "none"))
        #expect(request.hostConfig?.networkMode == "none")
        // createContainer sends it through createContainerSkippingNetworkSandbox, which sends this:
        #expect(request.skipsNetworkSandbox)
        #expect(try Self.json(request.withNetworkSandboxSkipped) == #"{"Cmd":["true"],"Entrypoint":["/bin/sh","-e","-c"],"Env":["CI=true"],"HostConfig":{"Init":true,"Memory":1073741824,"MemorySwap":1073741824,"Mounts":[{"Source":"/var/run/docker.sock","Target":"/var/run/docker.sock","Type":"bind"},{"Target":"/run","Type":"tmpfs"}],"NanoCpus":1500000000,"NetworkMode":"none"},"Image":"busybox","Labels":{"slipway.job":"1"},"NetworkDisabled":true,"WorkingDir":"/w"}"#)
    }

    @Test("other network modes are sent as configured, without NetworkDisabled", arguments: ["bridge", "host", "slipway-net"])
    func otherNetworksKeepTheSandbox(network: String) throws {
        let request = DockerContainerRuntime.request(for: Self.specification(network: network))
        #expect(request.hostConfig?.networkMode == network)
        #expect(!request.skipsNetworkSandbox)
        #expect(request.withNetworkSandboxSkipped == request)
        #expect(!(try Self.json(request.withNetworkSandboxSkipped)).contains("NetworkDisabled"))
    }

    @Test("an unprivileged dind daemon's specification also skips the sandbox with none, and keeps its system paths unconfined")
    func dindDaemonWithNone() throws {
        var specification = Self.specification(network: "none")
        specification.capabilitiesAdded = ["ALL"]
        specification.capabilitiesDropped = ["SYS_RESOURCE"]
        specification.securityOptions = ["seccomp=unconfined", "apparmor=unconfined"]
        specification.unconfinedSystemPaths = true
        let request = DockerContainerRuntime.request(for: specification).withNetworkSandboxSkipped
        #expect(request.networkDisabled == true)
        #expect(request.hostConfig?.maskedPaths == [] && request.hostConfig?.readonlyPaths == [])
        #expect(request.hostConfig?.capAdd == ["ALL"] && request.hostConfig?.capDrop == ["SYS_RESOURCE"])
    }
}
