// slipway — test support
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import Docker
import Foundation
import HTTP
import Sockets
import Testing

/// The private Docker daemon that `scripts/docker-test-env.sh start` runs, and what the live
/// tests need from it — the one place every test target reads it from.
///
/// The live suites run unless `SLIPWAY_SKIP_DOCKER=1`, which skips them visibly (the runner
/// prints the reason). Otherwise `SLIPWAY_TEST_DOCKER_HOST` (or `DOCKER_HOST`) must name a
/// daemon that answers `/_ping`, or every live test fails saying how to start one: a missing
/// daemon never passes silently.
public enum DockerTestEnvironment {
    static let variables = ProcessRunner.environment

    /// `SLIPWAY_SKIP_DOCKER=1` turns the live suites off. Use as
    /// `.disabled(if: DockerTestEnvironment.isSkipped, DockerTestEnvironment.skipComment)`.
    public static let isSkipped: Bool = {
        let skipped = variables["SLIPWAY_SKIP_DOCKER"] == "1"
        if skipped {
            FileHandle.standardError.write(Data("SLIPWAY_SKIP_DOCKER=1: skipping every test that needs a Docker daemon\n".utf8))
        }
        return skipped
    }()

    public static let skipComment: Comment = "SLIPWAY_SKIP_DOCKER=1: needs the private Docker daemon (eval \"$(scripts/docker-test-env.sh start)\")"

    /// The daemon's address (`unix:///…`), if one is configured.
    public static let hostText: String? = variables["SLIPWAY_TEST_DOCKER_HOST"].flatMap { $0.isEmpty ? nil : $0 }
        ?? variables["DOCKER_HOST"].flatMap { $0.isEmpty ? nil : $0 }

    /// Has `sh` and busybox's applets.
    public static var busyboxImage: String { variables["SLIPWAY_TEST_BUSYBOX_IMAGE"] ?? "slipway-test/busybox:latest" }
    /// Both a dind daemon image and a job image: `dockerd`, `sh`, the docker CLI and busybox.
    public static var dindImage: String { variables["SLIPWAY_TEST_DIND_IMAGE"] ?? "slipway-test/dind:latest" }
    /// `--privileged` fails on some machines; `SLIPWAY_TEST_DIND_PRIVILEGED=0` says so.
    public static var dindPrivileged: Bool { variables["SLIPWAY_TEST_DIND_PRIVILEGED"] != "0" }
    /// A short directory for bind-mounted daemon sockets (sun_path holds 108 bytes).
    public static var scratch: String { variables["SLIPWAY_TEST_DOCKER_SCRATCH"] ?? "/tmp" }
    /// The host's docker CLI, for tests that compare with it.
    public static var cli: String { variables["SLIPWAY_TEST_DOCKER_CLI"] ?? "docker" }

    /// Inner daemons run no bridge: containers there never get a network beyond loopback.
    public static let daemonArguments = ["--bridge=none", "--iptables=false", "--ip-forward=false", "--ip-masq=false", "--storage-driver=overlay2"]

    /// The event loops Docker clients in tests use.
    public static var group: EventLoopGroup { sharedTestGroup }

    /// The label every object a test creates carries, so a crashed run's leftovers can be
    /// found and removed.
    public static let testLabel = ["slipway.test": "1"]

    /// The daemon's address, or a recorded failure that says how to start one.
    public static func host() throws -> String {
        guard let hostText else {
            Issue.record("""
                neither SLIPWAY_TEST_DOCKER_HOST nor DOCKER_HOST is set: start the private test daemon with \
                eval "$(scripts/docker-test-env.sh start)", or set SLIPWAY_SKIP_DOCKER=1 to skip the Docker tests
                """)
            throw DockerTestSetupError()
        }
        return hostText
    }

    /// A client for the test daemon that has answered `/_ping`; fails the test with
    /// instructions when there is none.
    public static func client(configure: (inout DockerClient.Configuration) -> Void = { _ in }) async throws -> DockerClient {
        let host = try self.host()
        var configuration = DockerClient.Configuration()
        configure(&configuration)
        let client = try await DockerClient(host: DockerHost(parsing: host), group: sharedTestGroup, configuration: configuration)
        do {
            try await waitUntil("the Docker daemon at \(host) answering /_ping", timeout: .seconds(60), interval: .milliseconds(200)) {
                (try? await client.ping(timeout: .seconds(60))) != nil
            }
        } catch {
            Issue.record("the Docker daemon at \(host) does not answer /_ping (\(error)); start it with eval \"$(scripts/docker-test-env.sh start)\", or set SLIPWAY_SKIP_DOCKER=1")
            throw DockerTestSetupError()
        }
        return client
    }

    /// A name unique to this test run: `slipway-test-<what>-<random>`.
    public static func uniqueName(_ what: String) -> String {
        "slipway-test-\(what)-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// Labels for one test's objects: the common test label plus a per-test run ID.
    public static func labels(run: String) -> [String: String] {
        self.testLabel.merging(["slipway.test.run": run]) { $1 }
    }

    /// The test process's resident set size in bytes (`VmRSS`).
    public static func residentSetSize() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return (line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0) * 1024
        }
        return 0
    }
}

/// Thrown after recording why a live test cannot run.
public struct DockerTestSetupError: Error, CustomStringConvertible {
    public var message: String
    public init(message: String = "the Docker test environment is not available (see the recorded issue)") { self.message = message }
    public var description: String { self.message }
}
