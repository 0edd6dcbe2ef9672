// slipway — API server tests
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
import TestSupport

/// The `slipway` client subcommands end to end: the real binary, a real server, jobs run by
/// the private Docker daemon (`eval "$(scripts/docker-test-env.sh start)"`). Without it the
/// tests fail, unless `SLIPWAY_SKIP_DOCKER=1` says to skip them.
@Suite("slipway CLI", .disabled(if: DockerTestEnvironment.isSkipped, DockerTestEnvironment.skipComment))
struct CLITests {
    static var image: String { DockerTestEnvironment.busyboxImage }
    static var binary: String { SlipwayProcess.executable }

    static func withServer(_ body: (APIServer) async throws -> Void) async throws {
        let host = try DockerTestEnvironment.host()
        try await withAPIServer(configure: { configuration in
            configuration.dockerHost = host
            configuration.workers.host.network = "none"
            configuration.api.tokens = [.init(name: "ci", secret: APIServer.submitToken, scope: .submit)]
        }, body)
    }

    static func waitUntilReady(_ server: APIServer) async throws {
        try await waitUntil("the Docker engine ready", timeout: .seconds(60), interval: .milliseconds(100)) {
            try await server.request(.get, "/readyz").status == 200
        }
    }

    @Test("submit --wait exits with the job's exit status", arguments: [(0, "success"), (3, "failed"), (42, "failed")])
    func submitWaitExitStatus(code: Int32, status: String) async throws {
        try await Self.withServer { server in
            try await Self.waitUntilReady(server)
            let result = try await ProcessRunner.run(Self.binary, [
                "submit", "--server", server.baseURL, "--name", "cli", "--image", Self.image, "--worker", "host",
                "--script", "echo out-\(code)", "--script", "exit \(code)", "--wait",
            ], environment: ["SLIPWAY_TOKEN": APIServer.submitToken])
            #expect(result.status == code, "\(result.stderr)")
            #expect(result.stdout.contains("out-\(code)"))
            #expect(result.stderr.contains(": \(status)"))
        }
    }

    @Test func errorsPrintTheProblemDetail() async throws {
        try await Self.withServer { server in
            let unauthorized = try await ProcessRunner.run(Self.binary, ["status", "--server", server.baseURL, "1"], environment: ["SLIPWAY_TOKEN": ""])
            #expect(unauthorized.status == 1)
            #expect(unauthorized.stderr.contains("needs a token") && unauthorized.stderr.contains("HTTP 401"))
            let missing = try await ProcessRunner.run(Self.binary, ["cancel", "--server", server.baseURL, "--token", APIServer.submitToken, "99"])
            #expect(missing.status == 1 && missing.stderr.contains("no job 99"))
            let invalid = try await ProcessRunner.run(Self.binary, [
                "submit", "--server", server.baseURL, "--token", APIServer.submitToken, "--name", "x", "--image", "y",
            ])
            #expect(invalid.status == 1 && invalid.stderr.contains("script"))
        }
    }

    @Test func logsFollowPrintsTheLogAsItGrows() async throws {
        try await Self.withServer { server in
            try await Self.waitUntilReady(server)
            let environment = ["SLIPWAY_TOKEN": APIServer.submitToken]
            let submitted = try await ProcessRunner.run(Self.binary, [
                "submit", "--server", server.baseURL, "--name", "slow", "--image", Self.image, "--worker", "host",
                // line4 is written only once the follower has printed line1 (it creates `go` in the
                // workspace then), so it can only arrive if the log streams as it grows.
                "--script", "echo line1; i=0; while [ ! -e \"$CI_PROJECT_DIR/go\" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done; [ -e \"$CI_PROJECT_DIR/go\" ] && echo line4",
            ], environment: environment)
            let id = submitted.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(submitted.status == 0 && Int(id) != nil)
            let go = "\(server.directory)/data/workspaces/\(id)/go"
            // Timestamps each line as the client prints it; creates `go` on seeing line1.
            let stamp = "import json,subprocess,sys,time\np=subprocess.Popen(sys.argv[2:],stdout=subprocess.PIPE)\nlines=[]\n"
                + "for l in p.stdout:\n  lines.append((time.time(),l.decode().rstrip()))\n  if lines[-1][1]=='line1': open(sys.argv[1],'w').close()\n"
                + "print(json.dumps({'status':p.wait(),'lines':lines}))"
            let result = try await ProcessRunner.run(ProcessRunner.python, ["-c", stamp, go, Self.binary, "logs", "-f", "--server", server.baseURL, id],
                                                     environment: environment)
            let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdoutBytes)) as? [String: Any])
            #expect(report["status"] as? Int == 0)
            let lines = (report["lines"] as? [[Any]] ?? []).compactMap { pair -> (Double, String)? in
                guard let time = pair[0] as? Double, let text = pair[1] as? String else { return nil }
                return (time, text)
            }
            let first = try #require(lines.first { $0.1 == "line1" })
            let last = try #require(lines.first { $0.1 == "line4" })
            #expect(last.0 > first.0)
            let list = try await ProcessRunner.run(Self.binary, ["list", "--server", server.baseURL, "--json"], environment: environment)
            #expect(list.status == 0 && list.stdout.contains("\"status\":\"success\""))
        }
    }
}
