// slipway — end-to-end tests
// SPDX-License-Identifier: Apache-2.0

import Docker
import Foundation
import TestSupport

/// Configurations of `slipway serve` with the host worker on the private test daemon
/// (``DockerTestEnvironment``), and what a test checks on that daemon afterwards.
enum ServeTestSetup {
    /// A slipway configuration for the host worker on the test daemon (`workers` keys besides
    /// `host` in `workers`, host pool keys in `host`).
    static func configuration(concurrency: Int = 2, workers: String = "", host: String = "", dockerHost: String? = nil) throws -> String {
        """
        docker:
          host: \(try dockerHost ?? DockerTestEnvironment.host())
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

    /// Containers of the installation whose data directory is `server.dataDirectory` (by the
    /// instance label every slipway container carries).
    static func containers(of server: SlipwayProcess) async throws -> [Docker.ContainerSummary] {
        let instance = try String(contentsOfFile: "\(server.dataDirectory)/instance", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let docker = try await DockerTestEnvironment.client()
        return try await docker.listContainers(all: true, filters: DockerFilters().label("slipway.instance", instance))
    }
}
