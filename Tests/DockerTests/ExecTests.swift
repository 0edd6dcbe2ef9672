// slipway — Docker tests
// SPDX-License-Identifier: Apache-2.0

import Docker
import Testing
import TestSupport

extension DockerLiveTests {
    @Suite("Exec")
    struct ExecTests {
        @Test("exec create, start attached, inspect: exit code and both streams; stdin")
        func execInRunningContainer() async throws {
            let docker = try await DockerTestEnvironment.client()
            let run = DockerTestEnvironment.uniqueName("exec")
            let request = DockerLiveTests.busybox(["sleep", "600"], run: run) { $0.hostConfig?.initProcess = true }
            try await DockerLiveTests.withContainer(docker, request) { id in
                try await docker.startContainer(id)
                let result = try await docker.exec(in: id, ["sh", "-c", "echo out:$PWD:$X; echo err >&2; exit 5"], env: ["X=1"], workingDir: "/tmp")
                #expect(result.exitCode == 5)
                #expect(result.output.stdoutText == "out:/tmp:1\n")
                #expect(result.output.stderrText == "err\n")

                let execID = try await docker.createExec(in: id, ExecCreateRequest(cmd: ["sh", "-c", "tr a-z A-Z"], attachStdin: true))
                let attachment = try await docker.startExec(execID, idleTimeout: .seconds(30))
                try await attachment.write(Array("shout this\n".utf8))
                attachment.closeInput()
                let output = try await attachment.output.collect()
                #expect(output.stdoutText == "SHOUT THIS\n")
                let state = try await docker.inspectExec(execID)
                #expect(state.running == false)
                #expect(state.exitCode == 0)
                #expect(state.containerID == id)

                try await docker.killContainer(id)
                _ = try await docker.waitContainer(id, timeout: .seconds(30))
                do {
                    _ = try await docker.createExec(in: id, ExecCreateRequest(cmd: ["true"]))
                    Issue.record("exec in a stopped container should fail")
                } catch let error as DockerError {
                    #expect(error.code == .conflict)
                }
            }
        }
    }
}
