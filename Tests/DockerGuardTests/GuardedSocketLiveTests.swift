// slipway — DockerGuard tests
// SPDX-License-Identifier: Apache-2.0

import Docker
import Foundation
import Sockets
import Testing
import TestSupport

/// The guarded socket against the private test daemon, driven by Debian's Docker CLI and by
/// raw clients: what the CLI needs works, what belongs to another job is absent, and hostile
/// clients of one job do not disturb another.
@Suite("guarded socket, live", .serialized, .disabled(if: DockerTestEnvironment.isSkipped, DockerTestEnvironment.skipComment))
struct GuardedSocketLiveTests {
    let busybox = GuardHarness.busybox

    @Test func theCLIRunsAttachesAndExecsThroughTheGuardAndSeesOnlyItsOwn() async throws {
        try await GuardHarness.with { harness in
            try await harness.open("1")
            try await harness.open("2")
            let name = "guard-live-\(UInt32.random(in: 0...UInt32.max))"
            let run = try await harness.cli("1", ["run", "--rm", "--network", "none", self.busybox, "echo", "hello through the guard"])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stdout == "hello through the guard\n")
            let detached = try await harness.cli("1", ["run", "-d", "--name", name, "--network", "none", self.busybox, "sleep", "300"])
            #expect(detached.status == 0, "\(detached.stderr)")
            let exec = try await harness.cli("1", ["exec", name, "sh", "-c", "echo exec in $(hostname)"])
            #expect(exec.status == 0, "\(exec.stderr)")
            #expect(exec.stdout.hasPrefix("exec in "))
            // A lookup the engine itself refuses comes back as the engine's answer.
            let invalid = try await harness.cli("1", ["run", "--rm", "--network", "none", "-v", "bad%name:/x", self.busybox, "true"])
            #expect(invalid.status != 0)
            #expect(invalid.stderr.contains("invalid characters"), "\(invalid.stderr)")
            let mine = try await harness.cli("1", ["ps", "-a", "--format", "{{.Names}}"])
            #expect(mine.stdout.split(separator: "\n").contains(Substring(name)))

            let theirs = try await harness.cli("2", ["ps", "-a", "--format", "{{.Names}}"])
            #expect(theirs.status == 0)
            #expect(!theirs.stdout.contains(name), "job 2 sees job 1's container: \(theirs.stdout)")
            // (`rm -f` of a container that does not exist succeeds quietly: that it is still
            // there is checked below.)
            _ = try await harness.cli("2", ["rm", "-f", name])
            for command in [["stop", name], ["rm", name], ["exec", name, "true"], ["logs", name], ["inspect", name], ["kill", name]] {
                let result = try await harness.cli("2", command)
                #expect(result.status != 0, "docker \(command.joined(separator: " ")) succeeded for another job")
                #expect(result.stderr.contains("No such"), "docker \(command[0]): \(result.stderr)")
            }
            // Still there and running: job 2 touched nothing.
            let inspect = try await harness.docker.inspectContainer(name)
            #expect(inspect.state?.running == true)
            #expect(inspect.config?.labels?["slipway.job"] == "1")
            #expect(inspect.hostConfig?.pidsLimit == 256, "the pool's limit applies to containers the job starts")
        }
    }

    /// docker-compose (Debian's 1.29, through docker-py) brings a project up and down through
    /// the guard: a network, a named volume, a bind of a directory inside the workspace, a
    /// service in another service's network namespace, `exec`; another job sees none of it.
    @Test func composeBringsAProjectUpAndDownThroughTheGuard() async throws {
        try await GuardHarness.with { harness in
            try await harness.open("1")
            try await harness.open("2")
            let workspace = harness.workspace("1")
            try FileManager.default.createDirectory(atPath: "\(workspace)/data", withIntermediateDirectories: true)
            try "from the workspace\n".write(toFile: "\(workspace)/data/note.txt", atomically: true, encoding: .utf8)
            try """
                version: "2.4"
                services:
                  db:
                    image: \(self.busybox)
                    command: ["sh", "-c", "while true; do echo db says hi | nc -l -p 9000; done"]
                  web:
                    image: \(self.busybox)
                    command: ["sleep", "300"]
                    network_mode: "service:db"
                    depends_on: [db]
                    volumes: ["./data:/data:ro", "cache:/cache"]
                volumes:
                  cache: {}
                """.write(toFile: "\(workspace)/docker-compose.yml", atomically: true, encoding: .utf8)
            let project = "guard\(UInt32.random(in: 0...UInt32.max))"
            func compose(_ arguments: [String]) async throws -> ProcessResult {
                try await ProcessRunner.run("/usr/bin/docker-compose", ["-p", project] + arguments, environment: [
                    "DOCKER_HOST": "unix://\(harness.dockerGuard.socketPath(for: "1"))", "DOCKER_CONFIG": "\(harness.root)/cli-config",
                ], currentDirectory: workspace)
            }
            let up = try await compose(["up", "-d"])
            #expect(up.status == 0, "\(up.stderr)")
            var said = ""
            for _ in 0..<20 where !said.contains("db says hi") {
                said = try await compose(["exec", "-T", "web", "sh", "-c", "nc -w 2 127.0.0.1 9000 < /dev/null; cat /data/note.txt"]).stdout
            }
            #expect(said.contains("db says hi\n"), "web reaches db over its network namespace: \(said)")
            #expect(said.contains("from the workspace\n"))
            let ps = try await compose(["ps"])
            #expect(ps.stdout.components(separatedBy: " Up ").count == 3, "\(ps.stdout)")
            let theirs = try await harness.cli("2", ["ps", "-a", "--format", "{{.Names}}"])
            #expect(!theirs.stdout.contains(project), "\(theirs.stdout)")
            let down = try await compose(["down", "-v"])
            #expect(down.status == 0, "\(down.stderr)")
            let filters = DockerFilters().label("slipway.instance", harness.instance)
            #expect(try await harness.docker.listContainers(all: true, filters: filters).isEmpty)
            #expect(try await harness.docker.listVolumes(filters: filters).isEmpty)
            #expect(try await harness.docker.listNetworks(filters: filters).isEmpty)
        }
    }

    @Test func malformedRequestsAreAnsweredAndDoNotDisturbAnotherJob() async throws {
        try await GuardHarness.with { harness in
            try await harness.open("1")
            try await harness.open("2")
            let cases: [(request: String, status: String)] = [
                ("GARBAGE\r\n\r\n", "400"),
                ("GET /_ping HTTP/1.1\nHost: d\n\n", "400"),
                ("POST /v1.41/containers/create HTTP/1.1\r\nHost: d\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", "400"),
                ("POST /v1.41/containers/create HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\n", "400"),
                ("POST /v1.41/containers/create HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: 9\r\n\r\n{\"Image\":", "400"),
                ("GET /v1.41/containers/json?x=%zz HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n", "400"),
                ("GET /v1.41/containers/a/../../json HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n", "400"),
                ("GET /v1.41/containers/json HTTP/1.1\r\n\r\n", "400"),
                ("GET /v1.41/swarm HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n", "403"),
                ("GET /v1.12/containers/json HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n", "403"),
            ]
            for (request, status) in cases {
                let answer = try await harness.exchange("1", Array(request.utf8), timeout: .seconds(5))
                #expect(answer.hasPrefix("HTTP/1.1 \(status) "), "\(request.debugDescription) → \(answer.prefix(200))")
                #expect(answer.contains(#"{"message":"#), "\(answer)")
            }
            let other = try await harness.connect("2")
            defer { other.close() }
            let ping = try await GuardHarness.roundTrip(other, "GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n")
            #expect(ping.status == 200 && ping.body == "OK")
        }
    }

    /// A head that never ends is cut off after the header timeout; an upgrade that the engine
    /// completed but the client then abandons holds only its own connection, and closing the
    /// job's socket ends it.
    @Test func anUpgradeThatNeverCompletesHoldsOnlyItsOwnConnection() async throws {
        try await GuardHarness.with(configure: { $0.headerTimeout = .seconds(1) }) { harness in
            try await harness.open("1")
            try await harness.open("2")
            let name = "guard-upgrade-\(UInt32.random(in: 0...UInt32.max))"
            let created = try await harness.cli("1", ["create", "--name", name, "--network", "none", self.busybox, "sleep", "300"])
            #expect(created.status == 0, "\(created.stderr)")

            // The head stops before its end.
            let partial = try await harness.connect("1")
            defer { partial.close() }
            try await partial.write(Array("POST /v1.41/containers/\(name)/attach?stream=1&stdout=1 HTTP/1.1\r\nHost: d\r\nUpgrade: tcp\r\nConnection: Upgrade\r\n".utf8))
            // A complete upgrade the client then leaves idle: BuildKit's session, never spoken.
            let idle = try await harness.connect("1")
            defer { idle.close() }
            try await idle.write(Array("POST /v1.41/session HTTP/1.1\r\nHost: d\r\nUpgrade: h2c\r\nConnection: Upgrade\r\nX-Docker-Expose-Session-Uuid: \(UUID().uuidString)\r\nX-Docker-Expose-Session-Name: test\r\nX-Docker-Expose-Session-Sharedkey: k\r\n\r\n".utf8))
            let switched = try await idle.read(deadline: Instant.now() + .seconds(10))
            #expect(String(decoding: switched, as: UTF8.self).hasPrefix("HTTP/1.1 101 "), "\(String(decoding: switched, as: UTF8.self))")

            // Meanwhile both jobs are served.
            for job in ["1", "2"] {
                let began = ContinuousClock.now
                let ps = try await harness.cli(job, ["ps", "-q"])
                #expect(ps.status == 0, "\(ps.stderr)")
                #expect(ContinuousClock.now - began < .seconds(10))
            }
            let cutOff = try await GuardHarness.readAll(partial, timeout: .seconds(10))
            #expect(cutOff.hasPrefix("HTTP/1.1 408 "), "\(cutOff)")

            // The job ends: its socket closes and takes the idle upgrade with it.
            await harness.dockerGuard.close("1")
            let rest = try await GuardHarness.readToEnd(idle, timeout: .seconds(10))
            #expect(rest.closed, "the upgraded connection ends with the job's socket")
        }
    }

    /// Bodies stream through without being held: a create body over the inspection limit is
    /// refused, a huge chunked build context reaches the engine and its answer comes back.
    @Test func aHugeChunkedBodyStreamsThroughAndAnOversizedCreateIsRefused() async throws {
        try await GuardHarness.with { harness in
            try await harness.open("1")
            try await harness.open("2")
            let oversized = try await harness.connect("1")
            defer { oversized.close() }
            try await oversized.write(Array("POST /v1.41/containers/create HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".utf8))
            let chunk = Array("100000\r\n".utf8) + [UInt8](repeating: UInt8(ascii: " "), count: 0x100000) + Array("\r\n".utf8)
            var refused = ""
            do {
                for _ in 0..<3 { try await oversized.write(chunk) }
                refused = try await GuardHarness.readAll(oversized, timeout: .seconds(10))
            } catch {
                refused = try await GuardHarness.readAll(oversized, timeout: .seconds(2))
            }
            #expect(refused.hasPrefix("HTTP/1.1 413 "), "\(refused.prefix(200))")

            // 64 MiB of chunked build context, most of it tar padding: the engine reads it all.
            let build = try await harness.connect("1")
            defer { build.close() }
            try await build.write(Array("POST /v1.41/build?t=guard-huge:1 HTTP/1.1\r\nHost: d\r\nContent-Type: application/x-tar\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".utf8))
            let dockerfile = Array("FROM \(self.busybox)\n".utf8)
            var tar = Self.tarHeader(name: "Dockerfile", size: dockerfile.count) + dockerfile
            tar += [UInt8](repeating: 0, count: 512 - dockerfile.count % 512)
            tar += Self.tarHeader(name: "big", size: 64 << 20)
            try await build.write(Array("\(String(tar.count, radix: 16))\r\n".utf8) + tar + Array("\r\n".utf8))
            let piece = [UInt8](repeating: 0, count: 1 << 20)
            let framed = Array("\(String(piece.count, radix: 16))\r\n".utf8) + piece + Array("\r\n".utf8)
            for _ in 0..<64 { try await build.write(framed) }
            // Two zero blocks end the archive.
            try await build.write(Array("400\r\n".utf8) + [UInt8](repeating: 0, count: 1024) + Array("\r\n0\r\n\r\n".utf8))
            let answer = try await GuardHarness.readAll(build, timeout: .seconds(120))
            #expect(answer.hasPrefix("HTTP/1.1 200 "), "\(answer.prefix(300))")
            #expect(answer.contains("Successfully tagged guard-huge:1"), "\(answer.suffix(500))")
            let removal = try await harness.cli("1", ["rmi", "guard-huge:1"])
            #expect(removal.status == 0, "the job removes a tag it built: \(removal.stderr)")

            let other = try await harness.connect("2")
            defer { other.close() }
            #expect(try await GuardHarness.roundTrip(other, "GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n").status == 200)
        }
    }

    /// 1,000 calls at once on one job's socket: at most `maxConnectionsPerJob` reach the
    /// engine, the rest wait in that job's backlog, all finish, and another job's calls go
    /// through meanwhile.
    @Test func aThousandConcurrentCallsFromOneJobDoNotHoldUpAnother() async throws {
        try await GuardHarness.with(configure: { $0.maxConnectionsPerJob = 64 }) { harness in
            try await harness.open("1")
            try await harness.open("2")
            async let flood: [Int] = withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<1000 {
                    group.addTask {
                        let socket = try await harness.connect("1")
                        defer { socket.close() }
                        return try await GuardHarness.roundTrip(socket, "GET /v1.41/containers/json?all=1 HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n", timeout: .seconds(300)).status
                    }
                }
                var statuses: [Int] = []
                for try await status in group { statuses.append(status) }
                return statuses
            }
            var slowest: Duration = .zero
            for _ in 0..<20 {
                let began = ContinuousClock.now
                let socket = try await harness.connect("2")
                let answer = try await GuardHarness.roundTrip(socket, "GET /v1.41/containers/json HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n")
                socket.close()
                #expect(answer.status == 200)
                slowest = max(slowest, ContinuousClock.now - began)
            }
            let statuses = try await flood
            #expect(statuses.count == 1000)
            #expect(statuses.allSatisfy { $0 == 200 }, "\(Dictionary(grouping: statuses, by: { $0 }).mapValues(\.count))")
            #expect(slowest < .seconds(5), "another job's call took \(slowest) during the flood")
        }
    }

    /// A ustar header for a regular file.
    static func tarHeader(name: String, size: Int) -> [UInt8] {
        var header = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int) { for (index, byte) in text.utf8.enumerated() { header[offset + index] = byte } }
        put(name, at: 0)
        put("0000644\0", at: 100)
        put("0000000\0", at: 108)
        put("0000000\0", at: 116)
        put(String(repeating: "0", count: 11 - String(size, radix: 8).count) + String(size, radix: 8) + "\0", at: 124)
        put("00000000000\0", at: 136)
        header[156] = UInt8(ascii: "0")
        put("ustar\0", at: 257)
        put("00", at: 263)
        put("        ", at: 148)
        let sum = header.reduce(0) { $0 + Int($1) }
        put(String(repeating: "0", count: 6 - String(sum, radix: 8).count) + String(sum, radix: 8) + "\0 ", at: 148)
        return header
    }
}
