// slipway — Jobs tests
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Jobs
import Processes
import Testing

@Suite("job scripts under sh -e")
struct JobScriptTests {
    /// Runs the generated program with the real /bin/sh, as a job container would.
    static func run(_ lines: [String], in directory: String = "/tmp") async throws -> (status: Int32, output: String) {
        // Both streams into one, in the order written, as a job's log gets them.
        let outcome = try await ChildProcess.run(ChildProcessConfiguration(
            executable: "/bin/sh", arguments: ["-e", "-c", JobScript.program(for: lines, workingDirectory: directory)],
            environment: ["PATH": "/usr/bin:/bin", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": "/certs"],
            standardError: .standardOutput))
        return (outcome.termination.status, String(decoding: outcome.standardOutput, as: UTF8.self))
    }

    @Test func echoesEachLineBeforeRunningIt() async throws {
        let result = try await Self.run(["echo one", "echo 'two three'"])
        #expect(result.status == 0)
        #expect(result.output == "$ echo one\none\n$ echo 'two three'\ntwo three\n")
    }

    @Test func stopsAtTheFirstFailingLineWithItsStatus() async throws {
        let result = try await Self.run(["echo before", "sh -c 'exit 7'", "echo after"])
        #expect(result.status == 7)
        #expect(result.output == "$ echo before\nbefore\n$ sh -c 'exit 7'\n")
    }

    @Test func quotesLinesWithQuotesAndDollarSigns() async throws {
        let result = try await Self.run(["X=1; echo \"it's $X\""])
        #expect(result.output == "$ X=1; echo \"it's $X\"\nit's 1\n")
    }

    @Test func runsInTheWorkspaceWithoutDockerTLSSettings() async throws {
        let result = try await Self.run(["pwd", "echo \"[${DOCKER_TLS_VERIFY:-unset}] [${DOCKER_CERT_PATH:-unset}] $DOCKER_HOST\""], in: "/usr")
        #expect(result.output.contains("$ pwd\n/usr\n"))
        #expect(result.output.hasSuffix("[unset] [unset] unix:///var/run/docker.sock\n"))
    }
}
