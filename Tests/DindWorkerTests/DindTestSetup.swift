// slipway — dind worker tests
// SPDX-License-Identifier: Apache-2.0

import Foundation
import TestSupport

/// A slipway configuration with a dind pool on the private test daemon
/// (``DockerTestEnvironment``), for the live tests of the dind worker.
enum DindTestSetup {
    /// The YAML for slipway's `workers` and `docker` keys with a dind pool (no `listen` or
    /// `data_dir`: ``SlipwayProcess`` and ``Harness`` add those).
    static func configurationText(socketDirectory: String, dind: [String: String] = [:]) throws -> String {
        var settings: [String: String] = [
            "image": DockerTestEnvironment.dindImage, "privileged": DockerTestEnvironment.dindPrivileged ? "true" : "false",
            "network": "none", "socket_dir": socketDirectory, "concurrency": "2", "startup_deadline": "30s",
            "daemon_args": "[" + DockerTestEnvironment.daemonArguments.map { "\"\($0)\"" }.joined(separator: ", ") + "]",
        ]
        settings.merge(dind) { $1 }
        return """
            docker:
              host: \(try DockerTestEnvironment.host())
            workers:
              stop_grace_period: 2s
              host:
                network: none
                allow_api_submissions: true
              dind:
            \(settings.keys.sorted().map { "    \($0): \(settings[$0]!)" }.joined(separator: "\n"))

            """
    }

    /// A fresh data directory and a short socket directory (daemon sockets below it must fit in
    /// sun_path's 108 bytes), removed by the caller.
    static func makeDirectories(_ what: String) throws -> (data: String, sockets: String) {
        let token = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let data = "\(NSTemporaryDirectory())slipway-dind-\(what)-\(token)"
        let sockets = "\(DockerTestEnvironment.scratch)/d\(token)"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        return (data, sockets)
    }
}
