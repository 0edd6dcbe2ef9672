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

    /// The output as a terminal shows it: each section marker, up to and including the
    /// `\r\e[0K` that erases it, removed (an end marker's line with it).
    static func visible(_ output: String) -> String {
        var text = output.replacing(/\x1B\[0Ksection_end:\d+:[A-Za-z0-9_.-]+\r\x1B\[0K\n/, with: "")
        text = text.replacing(/\x1B\[0Ksection_start:\d+:[A-Za-z0-9_.-]+\r\x1B\[0K/, with: "")
        return text
    }

    @Test func echoesEachLineBeforeRunningIt() async throws {
        let result = try await Self.run(["echo one", "echo 'two three'"])
        #expect(result.status == 0)
        #expect(Self.visible(result.output) == "$ echo one\none\n$ echo 'two three'\ntwo three\n")
    }

    @Test func eachLineIsASectionWithItsTimes() async throws {
        let before = Int(Date().timeIntervalSince1970)
        let result = try await Self.run(["echo one", "echo two"])
        let after = Int(Date().timeIntervalSince1970) + 1
        let lines = result.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.count == 7, "\(lines)")
        let markers = lines.compactMap { line -> (String, Int, String)? in
            guard let match = line.wholeMatch(of: /\x1B\[0Ksection_(start|end):(\d+):(script_step_\d)\r\x1B\[0K.*/) else { return nil }
            return (String(match.1), Int(match.2) ?? 0, String(match.3))
        }
        #expect(markers.map(\.0) == ["start", "end", "start", "end"])
        #expect(markers.map(\.2) == ["script_step_1", "script_step_1", "script_step_2", "script_step_2"])
        #expect(markers.allSatisfy { (before...after).contains($0.1) })
        #expect(lines[0].hasSuffix("\r\u{1B}[0K$ echo one") && lines[1] == "one")
    }

    @Test func stopsAtTheFirstFailingLineWithItsStatus() async throws {
        let result = try await Self.run(["echo before", "sh -c 'exit 7'", "echo after"])
        #expect(result.status == 7)
        // The failing line's section is never closed: viewers close it at the end of the log.
        #expect(Self.visible(result.output) == "$ echo before\nbefore\n$ sh -c 'exit 7'\n")
    }

    @Test func quotesLinesWithQuotesAndDollarSigns() async throws {
        let result = try await Self.run(["X=1; echo \"it's $X\""])
        #expect(Self.visible(result.output) == "$ X=1; echo \"it's $X\"\nit's 1\n")
    }

    @Test func runsInTheWorkspaceWithoutDockerTLSSettings() async throws {
        let result = try await Self.run(["pwd", "echo \"[${DOCKER_TLS_VERIFY:-unset}] [${DOCKER_CERT_PATH:-unset}] $DOCKER_HOST\""], in: "/usr")
        #expect(Self.visible(result.output).contains("$ pwd\n/usr\n"))
        #expect(Self.visible(result.output).hasSuffix("[unset] [unset] unix:///var/run/docker.sock\n"))
    }

    @Test func sectionMarkersFollowGitLabsFormat() {
        #expect(LogSection.start("docker_daemon", header: "Starting", at: 1_700_000_000)
            == "\u{1B}[0Ksection_start:1700000000:docker_daemon\r\u{1B}[0KStarting")
        #expect(LogSection.start("a.b-c", header: "h", at: 5, collapsed: true) == "\u{1B}[0Ksection_start:5:a.b-c[collapsed=true]\r\u{1B}[0Kh")
        #expect(LogSection.end("docker_daemon", at: 1_700_000_004) == "\u{1B}[0Ksection_end:1700000004:docker_daemon\r\u{1B}[0K")
    }
}
