// slipway — Docker tests
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import Docker
import Foundation
import Sockets
import Testing
import TestSupport

/// The private test daemon that `scripts/docker-test-env.sh start` runs, and what the live
/// tests need from it.
///
/// The live suites run unless `SLIPWAY_SKIP_DOCKER=1`: then they are skipped, visibly (the
/// reason is printed and shown by the test runner). Otherwise `SLIPWAY_TEST_DOCKER_HOST` (or
/// `DOCKER_HOST`) must name a daemon that answers `/_ping`, or every live test fails saying
/// how to start one — a missing daemon never passes silently.
enum DockerTestEnvironment {
    static let environment = ProcessInfo.processInfo.environment

    /// `SLIPWAY_SKIP_DOCKER=1` turns the live suites off.
    static let isSkipped: Bool = {
        let skipped = environment["SLIPWAY_SKIP_DOCKER"] == "1"
        if skipped {
            FileHandle.standardError.write(Data("DockerTests: SLIPWAY_SKIP_DOCKER=1, skipping every test that needs a Docker daemon\n".utf8))
        }
        return skipped
    }()

    static let skipComment: Comment = "SLIPWAY_SKIP_DOCKER=1: needs the private Docker daemon (eval \"$(scripts/docker-test-env.sh start)\")"

    static let hostText: String? = environment["SLIPWAY_TEST_DOCKER_HOST"].flatMap { $0.isEmpty ? nil : $0 }
        ?? environment["DOCKER_HOST"].flatMap { $0.isEmpty ? nil : $0 }

    static var busyboxImage: String { environment["SLIPWAY_TEST_BUSYBOX_IMAGE"] ?? "slipway-test/busybox:latest" }
    static var dindImage: String { environment["SLIPWAY_TEST_DIND_IMAGE"] ?? "slipway-test/dind:latest" }
    /// A short directory for bind-mounted inner daemon sockets (sun_path holds 108 bytes).
    static var scratch: String { environment["SLIPWAY_TEST_DOCKER_SCRATCH"] ?? "/tmp" }

    /// The label every object a test creates carries, so a crashed run's leftovers can be
    /// found and removed.
    static let testLabel = ["slipway.test": "1"]

    static let group: EventLoopGroup = sharedTestGroup

    /// A client for the test daemon; fails the test with instructions when there is none.
    static func client(configure: (inout DockerClient.Configuration) -> Void = { _ in }) async throws -> DockerClient {
        guard let hostText else {
            Issue.record("""
                neither SLIPWAY_TEST_DOCKER_HOST nor DOCKER_HOST is set: start the private test daemon with \
                eval "$(scripts/docker-test-env.sh start)", or set SLIPWAY_SKIP_DOCKER=1 to skip the Docker tests
                """)
            throw DockerTestSetupError()
        }
        var configuration = DockerClient.Configuration()
        configure(&configuration)
        let client = try await DockerClient(host: DockerHost(parsing: hostText), group: self.group, configuration: configuration)
        do {
            _ = try await client.ping(timeout: .seconds(5))
        } catch {
            Issue.record("the Docker daemon at \(hostText) does not answer /_ping (\(error)); start it with eval \"$(scripts/docker-test-env.sh start)\", or set SLIPWAY_SKIP_DOCKER=1")
            throw DockerTestSetupError()
        }
        return client
    }

    /// A name unique to this test run: `slipway-test-<what>-<random>`.
    static func uniqueName(_ what: String) -> String {
        "slipway-test-\(what)-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// Labels for one test's objects: the common test label plus a per-test run ID.
    static func labels(run: String) -> [String: String] {
        self.testLabel.merging(["slipway.test.run": run]) { $1 }
    }

    /// The test process's resident set size in bytes (`VmRSS`).
    static func residentSetSize() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let digits = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
            return digits * 1024
        }
        return 0
    }
}

/// Thrown after recording why a live test cannot run.
struct DockerTestSetupError: Error, CustomStringConvertible {
    var message = "the Docker test environment is not available (see the recorded issue)"
    var description: String { self.message }
}

/// The condition of the live suites' `.enabled(if:)` trait: false only with
/// `SLIPWAY_SKIP_DOCKER=1`.
let dockerTestsEnabled: Bool = !DockerTestEnvironment.isSkipped
