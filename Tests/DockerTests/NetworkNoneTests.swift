// slipway — Docker tests
// SPDX-License-Identifier: Apache-2.0

import Docker
import Foundation
import Sockets
import Testing
import TestSupport

extension DockerLiveTests {
    @Suite("network none without the sandbox")
    struct NetworkNoneTests {
        /// Runs `script` under `sh -c` in a `none` container created by `create`, returns its
        /// stdout and the container's inspect answer.
        static func run(_ docker: DockerClient, _ script: String, skippingSandbox: Bool) async throws -> (output: String, inspect: ContainerInspect) {
            let run = DockerTestEnvironment.uniqueName("network-none")
            let request = DockerLiveTests.busybox(["sh", "-c", script], run: run)
            let id = skippingSandbox
                ? try await docker.createContainerSkippingNetworkSandbox(request).id
                : try await docker.createContainer(request).id
            do {
                let inspect = try await docker.inspectContainer(id)
                try await docker.startContainer(id)
                let exit = try await docker.waitContainer(id, timeout: .seconds(30))
                let output = try await docker.logs(id).collect()
                #expect(exit.statusCode == 0, "stderr: \(output.stderrText)")
                try await docker.removeContainer(id, force: true, removeVolumes: true, idempotent: true)
                return (output.stdoutText, inspect)
            } catch {
                _ = try? await docker.removeContainer(id, force: true, removeVolumes: true, idempotent: true)
                throw error
            }
        }

        @Test("has the engine's --network none /etc/hosts, resolves localhost, has only lo and reaches nothing else")
        func looksLikeNetworkNone() async throws {
            let docker = try await DockerTestEnvironment.client()
            // A port on the host's loopback: a container in a network namespace of its own
            // must not reach it (its 127.0.0.1 is its own `lo`).
            let listener = try Socket.listening(on: .ipv4(host: "127.0.0.1", port: 0))
            let port = try #require(try listener.localAddress().port)
            let hostNamespace = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/net")

            let (engineHosts, engineInspect) = try await Self.run(docker, "cat /etc/hosts", skippingSandbox: false)
            #expect(engineInspect.config?.networkDisabled == nil)
            #expect(engineHosts == DockerClient.networkNoneHostsFile, "the engine's --network none /etc/hosts changed: \(engineHosts.debugDescription)")

            let script = """
                cat /etc/hosts
                echo "mode: $(stat -c '%a %u:%g' /etc/hosts)"
                echo "interfaces: $(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | tr '\\n' ' ')"
                echo "routes: $(tail -n +2 /proc/net/route | wc -l)"
                echo "netns: $(readlink /proc/self/ns/net)"
                ping -c 1 -W 2 localhost > /dev/null && echo "localhost: answers"
                ping -c 1 -W 2 192.0.2.1 2>&1 | grep -q 'Network is unreachable' && echo "192.0.2.1: unreachable"
                nc -w 2 127.0.0.1 \(port) < /dev/null && echo "host port: reached" || echo "host port: not reached"
                echo '127.0.0.2 added-by-job' >> /etc/hosts && ping -c 1 -W 2 added-by-job > /dev/null && echo "appended: resolves"
                """
            let (output, inspect) = try await Self.run(docker, script, skippingSandbox: true)
            #expect(inspect.config?.networkDisabled == true)
            #expect(inspect.hostConfig?.networkMode == "none")
            #expect(output.hasPrefix(engineHosts + "mode: 644 0:0\n"), "output:\n\(output)")
            #expect(output.contains("interfaces: lo \n"), "output:\n\(output)")
            #expect(output.contains("routes: 0\n"), "output:\n\(output)")
            #expect(output.contains("netns: net:[") && !output.contains("netns: \(hostNamespace)\n"), "output:\n\(output)")
            #expect(output.contains("localhost: answers\n"), "output:\n\(output)")
            #expect(output.contains("192.0.2.1: unreachable\n"), "output:\n\(output)")
            #expect(output.contains("host port: not reached\n"), "output:\n\(output)")
            #expect(output.contains("appended: resolves\n"), "output:\n\(output)")
            listener.close()
        }

        @Test("a request that does not ask for none is created as it is, with no /etc/hosts put")
        func otherRequestsAreUntouched() async throws {
            let docker = try await DockerTestEnvironment.client()
            let run = DockerTestEnvironment.uniqueName("network-host")
            let request = DockerLiveTests.busybox(["true"], run: run) { $0.hostConfig?.networkMode = "host" }
            let id = try await docker.createContainerSkippingNetworkSandbox(request).id
            do {
                let inspect = try await docker.inspectContainer(id)
                #expect(inspect.config?.networkDisabled == nil)
                #expect(inspect.hostConfig?.networkMode == "host")
                // Nothing was extracted into the container: its /etc/hosts is still the empty
                // file of the engine's init layer (the engine mounts its own at the start).
                let (_, tar) = try await docker.getArchive(id, path: "/etc/hosts")
                let entries = try await TarReader.read(tar)
                #expect(entries.count == 1 && entries.first?.text == "")
            } catch {
                _ = try? await docker.removeContainer(id, force: true, idempotent: true)
                throw error
            }
            try await docker.removeContainer(id, force: true, idempotent: true)
        }
    }
}
