// slipway — Docker tests
// SPDX-License-Identifier: Apache-2.0

import Docker
import Foundation
import Testing
import TestSupport

extension DockerLiveTests {
    @Suite("Containers")
    struct ContainerLifecycleTests {
        @Test("negotiates the API version from /_ping and never calls unversioned paths")
        func negotiation() async throws {
            let docker = try await DockerTestEnvironment.client()
            let ping = try await docker.ping()
            let server = try #require(ping.apiVersion)
            let version = try await docker.apiVersion()
            #expect(version == min(server, DockerAPIVersion.clientMaximum))
            #expect(version >= DockerAPIVersion.clientMinimum)
            let engine = try await docker.version()
            #expect(engine.apiVersion == server.description)
        }

        @Test("a busybox container's exit code, stdout and stderr, kept apart")
        func exitCodeAndStreams() async throws {
            let docker = try await DockerTestEnvironment.client()
            let run = DockerTestEnvironment.uniqueName("streams")
            let request = DockerLiveTests.busybox(["sh", "-c", "echo to-stdout; echo to-stderr >&2; echo more-stdout; exit 3"], run: run) {
                $0.env = ["GREETING=hello"]
                $0.workingDir = "/tmp"
                $0.hostConfig?.initProcess = true
            }
            try await DockerLiveTests.withContainer(docker, request, name: run) { id in
                let wait = try await docker.registerWait(id, condition: .nextExit)
                try await docker.startContainer(id)
                let result = try await wait.result(timeout: .seconds(30))
                #expect(result.statusCode == 3)

                let output = try await docker.logs(id).collect()
                #expect(output.stdoutText == "to-stdout\nmore-stdout\n")
                #expect(output.stderrText == "to-stderr\n")

                let stderrOnly = try await docker.logs(id, options: LogOptions(stdout: false), tty: false).collect()
                #expect(stderrOnly.stdout.isEmpty)
                #expect(stderrOnly.stderrText == "to-stderr\n")

                let inspect = try await docker.inspectContainer(id)
                #expect(inspect.state?.exitCode == 3)
                #expect(inspect.state?.running == false)
                #expect(inspect.name == "/\(run)")
                #expect(inspect.config?.labels?["slipway.test"] == "1")
                #expect(inspect.config?.env?.contains("GREETING=hello") == true)
                #expect(inspect.config?.workingDir == "/tmp")
                #expect(inspect.hostConfig?.initProcess == true)
                #expect(inspect.hostConfig?.networkMode == "none")
            }
        }

        @Test("logs with timestamps and since; raw output of a TTY container")
        func logOptionsAndTTY() async throws {
            let docker = try await DockerTestEnvironment.client()
            let run = DockerTestEnvironment.uniqueName("tty")
            let request = DockerLiveTests.busybox(["sh", "-c", "echo one; echo two >&2"], run: run) { $0.tty = true }
            try await DockerLiveTests.withContainer(docker, request) { id in
                try await docker.startContainer(id)
                #expect(try await docker.waitContainer(id, timeout: .seconds(30)).statusCode == 0)
                let logs = try await docker.logs(id)
                #expect(!logs.isMultiplexed)
                let output = try await logs.collect()
                #expect(output.stdout.isEmpty && output.stderr.isEmpty)
                #expect(output.rawText == "one\r\ntwo\r\n")

                let stamped = try await docker.logs(id, options: LogOptions(timestamps: true)).collect()
                let firstLine = try #require(stamped.rawText.split(whereSeparator: \.isNewline).first)
                // RFC 3339 with nanoseconds, then a space, then the line.
                #expect(firstLine.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z one/) != nil, "\(firstLine)")

                let future = Date().timeIntervalSince1970 + 3600
                let none = try await docker.logs(id, options: LogOptions(since: future)).collect()
                #expect(none.count == 0)
            }
        }

        @Test("attach before start sees all output; stdin reaches the process")
        func attach() async throws {
            let docker = try await DockerTestEnvironment.client()
            let run = DockerTestEnvironment.uniqueName("attach")
            let request = DockerLiveTests.busybox(["sh", "-c", "read line; echo got:$line; echo bye >&2"], run: run) {
                $0.openStdin = true
                $0.stdinOnce = true
                $0.attachStdin = true
            }
            try await DockerLiveTests.withContainer(docker, request) { id in
                let attachment = try await docker.attach(id, stdin: true, tty: false, idleTimeout: .seconds(30))
                try await docker.startContainer(id)
                try await attachment.write(Array("hello\n".utf8))
                let output = try await attachment.output.collect()
                #expect(output.stdoutText == "got:hello\n")
                #expect(output.stderrText == "bye\n")
                #expect(try await docker.waitContainer(id, timeout: .seconds(30)).statusCode == 0)
            }
        }

        @Test("kill a long-running container; start, stop and kill are idempotent on request")
        func killLongRunning() async throws {
            let docker = try await DockerTestEnvironment.client()
            let run = DockerTestEnvironment.uniqueName("kill")
            let request = DockerLiveTests.busybox(["sleep", "600"], run: run) { $0.hostConfig?.initProcess = true }
            try await DockerLiveTests.withContainer(docker, request) { id in
                try await docker.startContainer(id)
                #expect(try await docker.startContainer(id, idempotent: true) == false)
                await #expect(throws: DockerError.self) { try await docker.startContainer(id) }
                #expect(try await docker.inspectContainer(id).state?.running == true)

                let wait = try await docker.registerWait(id)
                let started = ContinuousClock.now
                try await docker.killContainer(id)
                let result = try await wait.result(timeout: .seconds(30))
                #expect(result.statusCode == 137) // 128 + SIGKILL
                #expect(ContinuousClock.now - started < .seconds(60), "killed, not after its 600 s sleep")

                let state = try await docker.inspectContainer(id).state
                #expect(state?.running == false)
                #expect(state?.status == "exited")
                #expect(try await docker.killContainer(id, idempotent: true) == false)
                #expect(try await docker.stopContainer(id, timeout: 1, idempotent: true) == false)
                do {
                    try await docker.killContainer(id)
                    Issue.record("killing a stopped container should fail")
                } catch let error as DockerError {
                    #expect(error.code == .conflict)
                    #expect(error.status == 409)
                    #expect(error.message.contains("is not running"))
                }
            }
        }

        @Test("stop sends SIGTERM through the init, then the grace period ends it")
        func stopWithGracePeriod() async throws {
            let docker = try await DockerTestEnvironment.client()
            let run = DockerTestEnvironment.uniqueName("stop")
            // The shell ignores TERM, so only the SIGKILL after the 1 s grace period ends it.
            let request = DockerLiveTests.busybox(["sh", "-c", "trap '' TERM; while true; do sleep 1; done"], run: run) { $0.hostConfig?.initProcess = true }
            try await DockerLiveTests.withContainer(docker, request) { id in
                try await docker.startContainer(id)
                let started = ContinuousClock.now
                #expect(try await docker.stopContainer(id, timeout: 1) == true)
                let elapsed = ContinuousClock.now - started
                #expect(elapsed >= .milliseconds(900))
                #expect(elapsed < .seconds(60), "the grace period ended it; its loop never would")
                #expect(try await docker.inspectContainer(id).state?.exitCode == 137)
            }
        }

        @Test("engine errors carry status, message and a matchable code")
        func engineErrors() async throws {
            let docker = try await DockerTestEnvironment.client()
            let missing = "slipway-test/does-not-exist:\(UInt32.random(in: 0...UInt32.max))"
            do {
                _ = try await docker.inspectImage(missing)
                Issue.record("inspecting a missing image should fail")
            } catch {
                #expect(error.code == .notFound)
                #expect(error.status == 404)
                // The engine's words, verbatim (20.10 says "no such image: X: No such image: X").
                #expect(error.message.contains("No such image: \(missing)"))
                #expect(error.description.contains("GET /v1.") && error.description.contains("/json: 404 "))
            }
            #expect(try await docker.imageExists(missing) == false)
            #expect(try await docker.imageExists(DockerTestEnvironment.busyboxImage))

            await #expect(throws: DockerError.self) {
                _ = try await docker.createContainer(ContainerCreateRequest(image: missing, labels: DockerTestEnvironment.testLabel))
            }
            #expect(try await docker.removeContainer("slipway-test-no-such-container", idempotent: true) == false)
            #expect(try await docker.removeVolume("slipway-test-no-such-volume", idempotent: true) == false)
            do {
                _ = try await docker.waitContainer("slipway-test-no-such-container")
                Issue.record("waiting for a missing container should fail")
            } catch {
                #expect(error.code == .notFound)
                #expect(error.message.contains("No such container"))
            }

            let run = DockerTestEnvironment.uniqueName("conflict")
            try await DockerLiveTests.withContainer(docker, DockerLiveTests.busybox(["true"], run: run), name: run) { _ in
                do {
                    _ = try await docker.createContainer(DockerLiveTests.busybox(["true"], run: run), name: run)
                    Issue.record("a second container with the same name should conflict")
                } catch let error as DockerError {
                    #expect(error.code == .conflict)
                    #expect(error.message.contains("already in use"))
                }
            }
        }

        @Test("mounts: bind (missing source is an error), volume, tmpfs; caps, security options, limits")
        func hostConfiguration() async throws {
            let docker = try await DockerTestEnvironment.client()
            let run = DockerTestEnvironment.uniqueName("mounts")
            let directory = "\(DockerTestEnvironment.scratch)/\(run)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            try Data("from-the-host\n".utf8).write(to: URL(fileURLWithPath: "\(directory)/host.txt"))
            let volumeName = "\(run)-data"

            let request = DockerLiveTests.busybox(["sh", "-c", "cat /host/host.txt; touch /data/v 2>/dev/null && echo wrote || echo cannot-write; df -k /scratch | tail -n 1; id -u; cat /proc/self/status | grep CapEff"], run: run) {
                $0.user = "65534"
                $0.hostConfig?.mounts = [
                    .bind(directory, at: "/host", readOnly: true),
                    .volume(volumeName, at: "/data", labels: DockerTestEnvironment.labels(run: run)),
                    .tmpfs(at: "/scratch", sizeBytes: 8 * 1024 * 1024, mode: 0o1777),
                ]
                $0.hostConfig?.capDrop = ["ALL"]
                $0.hostConfig?.securityOpt = ["no-new-privileges"]
                $0.hostConfig?.memory = 64 * 1024 * 1024
                $0.hostConfig?.nanoCPUs = 500_000_000
                $0.hostConfig?.pidsLimit = 64
            }
            do {
                try await DockerLiveTests.withContainer(docker, request) { id in
                    try await docker.startContainer(id)
                    let exit = try await docker.waitContainer(id, timeout: .seconds(30))
                    let output = try await docker.logs(id).collect()
                    #expect(exit.statusCode == 0)
                    #expect(output.stderr.isEmpty, "stderr: \(output.stderrText)")
                    let lines = output.stdoutText.split(separator: "\n")
                    #expect(lines.first == "from-the-host")
                    // The volume's root belongs to root; user nobody cannot write it.
                    #expect(lines.contains("cannot-write"))
                    #expect(lines.contains("65534"))
                    #expect(lines.contains { $0.hasPrefix("CapEff:") && $0.hasSuffix("0000000000000000") })
                    // 8 MiB tmpfs: 8192 KiB blocks.
                    #expect(lines.contains { $0.contains(" 8192 ") })
                    let inspect = try await docker.inspectContainer(id)
                    let memory: Int64 = 64 * 1024 * 1024
                    #expect(inspect.hostConfig?.memory == memory)
                    #expect(inspect.hostConfig?.nanoCPUs == 500_000_000)
                    #expect(inspect.hostConfig?.capDrop == ["ALL"])
                    #expect(inspect.mounts?.contains { $0.type == "volume" && $0.name == volumeName } == true)
                }
                // The named volume outlives the container.
                let volume = try await docker.inspectVolume(volumeName)
                #expect(volume.labels?["slipway.test.run"] == run)
            } catch {
                _ = try? await docker.removeVolume(volumeName, idempotent: true)
                throw error
            }
            try await docker.removeVolume(volumeName)

            // A bind of a missing source fails at create (Binds would have made a directory).
            let missing = DockerLiveTests.busybox(["true"], run: run) {
                $0.hostConfig?.mounts = [.bind("\(directory)/does-not-exist", at: "/x")]
            }
            do {
                let id = try await docker.createContainer(missing).id
                _ = try? await docker.removeContainer(id, force: true)
                Issue.record("a bind mount of a missing source should be refused")
            } catch {
                #expect(error.code == .badRequest)
                #expect(error.message.contains("bind source path does not exist"))
            }
        }
    }
}
