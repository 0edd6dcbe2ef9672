// slipway — end-to-end tests
// SPDX-License-Identifier: Apache-2.0

import Docker
import Foundation
import Testing
import TestSupport

/// The private Docker daemon that `scripts/docker-test-env.sh start` runs.
///
/// `SLIPWAY_SKIP_DOCKER=1` skips these suites visibly; otherwise a missing daemon fails every
/// test with instructions — it never passes silently.
enum ServeTestEnvironment {
    static let environment = ProcessInfo.processInfo.environment
    static let isSkipped = environment["SLIPWAY_SKIP_DOCKER"] == "1"
    static let skipComment: Comment = "SLIPWAY_SKIP_DOCKER=1: needs the private Docker daemon (eval \"$(scripts/docker-test-env.sh start)\")"

    static var busyboxImage: String { environment["SLIPWAY_TEST_BUSYBOX_IMAGE"] ?? "slipway-test/busybox:latest" }
    /// Has `sh` and the `docker` CLI: the job image for jobs that drive the engine.
    static var dindImage: String { environment["SLIPWAY_TEST_DIND_IMAGE"] ?? "slipway-test/dind:latest" }

    /// The daemon's `DOCKER_HOST`, or a recorded failure saying how to start one.
    static func dockerHost() throws -> String {
        guard let host = (environment["SLIPWAY_TEST_DOCKER_HOST"] ?? environment["DOCKER_HOST"]), !host.isEmpty else {
            Issue.record("""
                neither SLIPWAY_TEST_DOCKER_HOST nor DOCKER_HOST is set: start the private test daemon with \
                eval "$(scripts/docker-test-env.sh start)", or set SLIPWAY_SKIP_DOCKER=1 to skip the Docker tests
                """)
            throw ProcessRunnerError(message: "no Docker daemon")
        }
        return host
    }

    /// A client for the daemon, to check what slipway left behind.
    static func docker() async throws -> DockerClient {
        try await DockerClient(host: DockerHost(parsing: try self.dockerHost()), group: sharedTestGroup)
    }

    /// A slipway configuration for the host worker on the test daemon (`workers` keys besides
    /// `host` in `workers`, host pool keys in `host`).
    static func configuration(concurrency: Int = 2, workers: String = "", host: String = "", dockerHost: String? = nil) throws -> String {
        """
        docker:
          host: \(try dockerHost ?? self.dockerHost())
        workers:
          stop_grace_period: 2s
        \(workers.split(separator: "\n").map { "  \($0)" }.joined(separator: "\n"))
          host:
            concurrency: \(concurrency)
            network: none
            allow_api_submissions: true
        \(host.split(separator: "\n").map { "    \($0)" }.joined(separator: "\n"))
        """
    }

    /// Containers of the installation whose data directory is `dataDirectory` (by the instance
    /// label every slipway container carries).
    static func containers(of server: SlipwayProcess) async throws -> [Docker.ContainerSummary] {
        let instance = try String(contentsOfFile: "\(server.dataDirectory)/instance", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let docker = try await self.docker()
        return try await docker.listContainers(all: true, filters: DockerFilters().label("slipway.instance", instance))
    }
}
