// slipway — Docker tests
// SPDX-License-Identifier: Apache-2.0

import Docker
import Foundation
import Testing
import TestSupport

extension DockerLiveTests {
    @Suite("Docker in Docker")
    struct DindTests {
        /// The dind daemon container slipway runs for machines where `Privileged`
        /// fails: every capability but SYS_RESOURCE, no seccomp, AppArmor or masked paths,
        /// cgroups writable, a volume for the inner data root, and a shared directory for
        /// the inner socket. No network: the inner daemon runs no bridge.
        static func dindRequest(sharedDirectory: String, run: String) -> ContainerCreateRequest {
            var request = ContainerCreateRequest(
                image: DockerTestEnvironment.dindImage,
                cmd: [
                    "dockerd", "--host", "unix:///shared/docker.sock",
                    "--bridge=none", "--iptables=false", "--ip-forward=false", "--ip-masq=false",
                    "--storage-driver=overlay2",
                ],
                labels: DockerTestEnvironment.labels(run: run).merging(["slipway.role": "dind"]) { $1 }
            )
            request.hostConfig = HostConfig(
                mounts: [
                    .tmpfs(at: "/run"),
                    .bind("/sys/fs/cgroup", at: "/sys/fs/cgroup"),
                    .volume(nil, at: "/var/lib/docker"),
                    .bind(sharedDirectory, at: "/shared"),
                ],
                networkMode: "none",
                capAdd: ["ALL"],
                capDrop: ["SYS_RESOURCE"],
                securityOpt: ["seccomp=unconfined", "apparmor=unconfined"],
                initProcess: true
            )
            // `systempaths=unconfined` is CLI sugar for these two; the engine refuses the option.
            request.hostConfig?.maskedPaths = []
            request.hostConfig?.readonlyPaths = []
            return request
        }

        @Test("a dind container's daemon answers on a shared socket and runs a container loaded into it")
        func containerInsideDind() async throws {
            let docker = try await DockerTestEnvironment.client()
            let run = DockerTestEnvironment.uniqueName("dind")
            // Short: the socket path must fit in sun_path (108 bytes).
            let shared = "\(DockerTestEnvironment.scratch)/\(run.suffix(10))"
            try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: shared) }

            try await DockerLiveTests.withContainer(docker, Self.dindRequest(sharedDirectory: shared, run: run)) { dind in
                try await docker.startContainer(dind)
                let started = ContinuousClock.now
                let inner = DockerClient(address: .unix(path: "\(shared)/docker.sock"), group: DockerTestEnvironment.group)
                do {
                    try await inner.waitUntilReady(timeout: .seconds(30))
                } catch {
                    let logs = (try? await docker.logs(dind, tty: false).collect(limit: 1 << 20)) ?? DockerOutput()
                    Issue.record("the inner daemon did not come up: \(error)\n\(logs.stderrText.suffix(3000))")
                    throw error
                }
                print("DockerTests: inner daemon answered /_ping \(ContinuousClock.now - started) after start")
                #expect(try await inner.apiVersion() >= DockerAPIVersion.clientMinimum)

                // No registry: copy the image from the outer daemon, streamed, never in memory.
                let loaded = try await inner.loadImage(.relay(try await docker.exportImage(DockerTestEnvironment.busyboxImage))).waitUntilFinished()
                #expect(loaded.loadedImages.contains(DockerTestEnvironment.busyboxImage))

                let job = DockerLiveTests.busybox(["sh", "-c", "echo inside dind; echo warn >&2; exit 2"], run: run)
                try await DockerLiveTests.withContainer(inner, job) { id in
                    try await inner.startContainer(id)
                    #expect(try await inner.waitContainer(id, timeout: .seconds(30)).statusCode == 2)
                    let output = try await inner.logs(id).collect()
                    #expect(output.stdoutText == "inside dind\n")
                    #expect(output.stderrText == "warn\n")
                }
                // The inner container exists only in the inner daemon.
                #expect(try await docker.listContainers(all: true, filters: DockerFilters().label("slipway.test.run", run)).map(\.id) == [dind])
            }
        }
    }
}
