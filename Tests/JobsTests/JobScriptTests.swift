// slipway — Jobs tests
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Jobs
import Testing

@Suite("job scripts under sh -e")
struct JobScriptTests {
    /// Runs the generated program with the real /bin/sh, as a job container would.
    static func run(_ lines: [String], in directory: String = "/tmp") throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-e", "-c", JobScript.program(for: lines, workingDirectory: directory)]
        process.environment = ["PATH": "/usr/bin:/bin", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": "/certs"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func echoesEachLineBeforeRunningIt() throws {
        let result = try Self.run(["echo one", "echo 'two three'"])
        #expect(result.status == 0)
        #expect(result.output == "$ echo one\none\n$ echo 'two three'\ntwo three\n")
    }

    @Test func stopsAtTheFirstFailingLineWithItsStatus() throws {
        let result = try Self.run(["echo before", "sh -c 'exit 7'", "echo after"])
        #expect(result.status == 7)
        #expect(result.output == "$ echo before\nbefore\n$ sh -c 'exit 7'\n")
    }

    @Test func quotesLinesWithQuotesAndDollarSigns() throws {
        let result = try Self.run(["X=1; echo \"it's $X\""])
        #expect(result.output == "$ X=1; echo \"it's $X\"\nit's 1\n")
    }

    @Test func runsInTheWorkspaceWithoutDockerTLSSettings() throws {
        let result = try Self.run(["pwd", "echo \"[${DOCKER_TLS_VERIFY:-unset}] [${DOCKER_CERT_PATH:-unset}] $DOCKER_HOST\""], in: "/usr")
        #expect(result.output.contains("$ pwd\n/usr\n"))
        #expect(result.output.hasSuffix("[unset] [unset] unix:///var/run/docker.sock\n"))
    }
}
