// slipway — dind worker tests
// SPDX-License-Identifier: Apache-2.0

import Application
import Docker
import Foundation
import Jobs
import Logging
import Testing
import TestSupport

/// The private test daemon (`scripts/docker-test-env.sh start`) and a real ``SlipwayApplication``
/// with a dind pool on it, for the live tests of the dind worker.
///
/// The suites run unless `SLIPWAY_SKIP_DOCKER=1`, which skips them visibly; otherwise a
/// missing daemon fails every test with instructions — never a silent pass.
enum DindTestEnvironment {
    static let environment = ProcessInfo.processInfo.environment

    static let isSkipped: Bool = {
        let skipped = environment["SLIPWAY_SKIP_DOCKER"] == "1"
        if skipped {
            FileHandle.standardError.write(Data("DindWorkerTests: SLIPWAY_SKIP_DOCKER=1, skipping every test that needs a Docker daemon\n".utf8))
        }
        return skipped
    }()

    static let hostText: String? = environment["SLIPWAY_TEST_DOCKER_HOST"].flatMap { $0.isEmpty ? nil : $0 }
        ?? environment["DOCKER_HOST"].flatMap { $0.isEmpty ? nil : $0 }

    /// Both the daemon image and the job image: it has `dockerd`, `sh`, the docker CLI and a
    /// static busybox (copied into images built inside the jobs: there is no registry).
    static var dindImage: String { environment["SLIPWAY_TEST_DIND_IMAGE"] ?? "slipway-test/dind:latest" }
    /// `--privileged` fails on these machines; `SLIPWAY_TEST_DIND_PRIVILEGED=0` says so.
    static var privileged: Bool { environment["SLIPWAY_TEST_DIND_PRIVILEGED"] != "0" }
    /// A short directory: daemon sockets below it must fit in 108 bytes.
    static var scratch: String { environment["SLIPWAY_TEST_DOCKER_SCRATCH"] ?? "/tmp" }

    /// The inner daemons run no bridge: containers here never get a network beyond loopback.
    static let daemonArguments = ["--bridge=none", "--iptables=false", "--ip-forward=false", "--ip-masq=false", "--storage-driver=overlay2"]

    /// A client for the host (test) daemon, to look for traces a job must not leave.
    static func docker() async throws -> DockerClient {
        guard let hostText else {
            Issue.record("""
                neither SLIPWAY_TEST_DOCKER_HOST nor DOCKER_HOST is set: start the private test daemon with \
                eval "$(scripts/docker-test-env.sh start)", or set SLIPWAY_SKIP_DOCKER=1 to skip the Docker tests
                """)
            throw SetupError()
        }
        let client = try await DockerClient(host: DockerHost(parsing: hostText), group: sharedTestGroup)
        do {
            _ = try await client.ping(timeout: .seconds(5))
        } catch {
            Issue.record("the Docker daemon at \(hostText) does not answer /_ping (\(error)); start it with eval \"$(scripts/docker-test-env.sh start)\", or set SLIPWAY_SKIP_DOCKER=1")
            throw SetupError()
        }
        return client
    }

    /// A YAML configuration for slipway with a dind pool on the test daemon.
    static func configurationText(dataDirectory: String, socketDirectory: String, listen: String = "127.0.0.1:0", dind: [String: String] = [:]) -> String {
        var settings: [String: String] = [
            "image": dindImage, "privileged": privileged ? "true" : "false", "network": "none",
            "socket_dir": socketDirectory, "concurrency": "2", "startup_deadline": "30s",
            "daemon_args": "[" + daemonArguments.map { "\"\($0)\"" }.joined(separator: ", ") + "]",
        ]
        settings.merge(dind) { $1 }
        return """
            listen: ["\(listen)"]
            data_dir: \(dataDirectory)
            docker:
              host: \(hostText ?? "unix:///var/run/docker.sock")
            workers:
              stop_grace_period: 2s
              host:
                network: none
                allow_api_submissions: true
              dind:
            \(settings.keys.sorted().map { "    \($0): \(settings[$0]!)" }.joined(separator: "\n"))

            """
    }

    /// A fresh data directory and a short socket directory, removed by ``Harness/close()``.
    static func makeDirectories(_ what: String) throws -> (data: String, sockets: String) {
        let token = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let data = "\(NSTemporaryDirectory())slipway-dind-\(what)-\(token)"
        let sockets = "\(scratch)/d\(token)"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        return (data, sockets)
    }
}

struct SetupError: Error, CustomStringConvertible {
    var description: String { "the Docker test environment is not available (see the recorded issue)" }
}

/// The condition of the live suites' `.enabled(if:)` trait.
let dindTestsEnabled: Bool = !DindTestEnvironment.isSkipped
