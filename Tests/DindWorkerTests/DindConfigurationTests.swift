// slipway — dind worker tests
// SPDX-License-Identifier: Apache-2.0

import Application
import Jobs
import Testing

/// `workers.dind` parsing, names and the daemon container's settings (no daemon needed).
@Suite("dind worker configuration")
struct DindConfigurationTests {
    @Test("workers.dind keys are parsed, and a missing section means no dind pool")
    func parsing() throws {
        let none = try SlipwayConfiguration.parse(yaml: "workers:\n  host:\n    concurrency: 1\n")
        #expect(none.workers.dind == nil)
        let configuration = try SlipwayConfiguration.parse(yaml: """
            workers:
              dind:
                image: docker:27.5.1-dind
                concurrency: 3
                warm: 2
                cache: per-project
                cache_max_size: 1073741824
                cache_budget: 4294967296
                privileged: false
                memory: 2147483648
                cpus: 1.5
                startup_deadline: 20s
                start_attempts: 3
                socket_dir: /run/slipway/dind
                network: none
                daemon_args: ["--mtu=1400"]
            """)
        let dind = try #require(configuration.workers.dind)
        #expect(dind.image == "docker:27.5.1-dind")
        #expect(dind.concurrency == 3 && dind.warm == 2)
        #expect(dind.cache == .perProject)
        #expect(dind.cacheMaximumBytes == 1 << 30 && dind.cacheBudgetBytes == 4 << 30)
        #expect(dind.privileged == false)
        #expect(dind.memoryBytes == 2 << 30 && dind.cpus == 1.5)
        #expect(dind.startupDeadline == .seconds(20) && dind.startAttempts == 3)
        #expect(dind.socketDirectory == "/run/slipway/dind" && dind.network == "none")
        #expect(dind.daemonArguments == ["--mtu=1400"])
    }

    @Test("configuration mistakes are refused with the key and the fix", arguments: [
        ("cache: shared", "workers.dind.cache"),
        ("socket_dir: relative/dir", "absolute"),
        ("socket_dir: /\(String(repeating: "x", count: 100))", "too long"),
        ("colour: blue", "unknown configuration key 'workers.dind.colour'"),
        ("warm: -1", "workers.dind.warm"),
    ])
    func mistakes(line: String, expected: String) {
        #expect {
            _ = try SlipwayConfiguration.parse(yaml: "workers:\n  dind:\n    \(line)\n")
        } throws: { error in
            "\(error)".contains(expected)
        }
    }

    @Test("cache volumes are per project, valid volume names, and distinct for look-alike projects")
    func cacheVolumeNames() {
        let a = DindLayerCache.volumeName(instance: "0123456789abcdef", project: "Group/App")
        let b = DindLayerCache.volumeName(instance: "0123456789abcdef", project: "group-app")
        #expect(a.hasPrefix("slipway-cache-01234567-group-app-"))
        #expect(a != b)
        #expect(a.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
        #expect(DindDaemon.token(fromName: DindDaemon.name(instance: "0123456789abcdef", token: "00ff00ff")) == "00ff00ff")
    }

    @Test("the daemon container: privileged, or the explicit capability set; never the job container")
    func daemonSpecification() {
        var configuration = DindWorkerConfiguration(image: "docker:dind", instance: "0123456789abcdef")
        configuration.daemonArguments = ["--mtu=1400"]
        let daemon = DindDaemon(name: "slipway-dind-01234567-00ff00ff", containerID: "", token: "00ff00ff", directory: "/run/d/00ff00ff", volume: "slipway-dind-01234567-00ff00ff", usesCache: false)
        let launcher = DindDaemonLauncher(configuration: configuration, runtime: NoRuntime(), directories: NoDirectories())
        let privileged = launcher.specification(for: daemon, request: .init(job: JobID(7), workspace: "/data/workspaces/7"))
        #expect(privileged.privileged)
        #expect(privileged.command == ["dockerd", "--host=unix:///run/d/00ff00ff/docker.sock", "--mtu=1400"])
        #expect(privileged.mounts.contains(.init(kind: .bind, source: "/data/workspaces/7", target: "/data/workspaces/7")))
        #expect(privileged.mounts.contains(.init(kind: .bind, source: "/run/d/00ff00ff", target: "/run/d/00ff00ff")))
        #expect(privileged.mounts.contains(.init(kind: .volume, source: daemon.volume, target: "/var/lib/docker")))
        #expect(privileged.labels["slipway.role"] == "dind" && privileged.labels["slipway.job"] == "7")

        configuration.privileged = false
        let explicit = DindDaemonLauncher(configuration: configuration, runtime: NoRuntime(), directories: NoDirectories())
            .specification(for: daemon, request: .init())
        #expect(!explicit.privileged)
        #expect(explicit.capabilitiesAdded == ["ALL"] && explicit.capabilitiesDropped == ["SYS_RESOURCE"])
        #expect(explicit.securityOptions == ["seccomp=unconfined", "apparmor=unconfined"])
        #expect(explicit.unconfinedSystemPaths)
        #expect(explicit.mounts.contains(.init(kind: .bind, source: "/sys/fs/cgroup", target: "/sys/fs/cgroup")))
    }
}

/// A runtime for tests that only build specifications.
struct NoRuntime: ContainerRuntime {
    func ping() async throws {}
    func imageExists(_ image: String) async throws -> Bool { false }
    func createContainer(_ specification: ContainerSpecification) async throws -> String { "" }
    func startContainer(_ id: String) async throws {}
    func attachOutput(_ id: String) async throws -> any ContainerOutputStream { throw ContainerRuntimeFailure.engineError("no engine") }
    func followOutput(_ id: String, sinceUnixTime: Int64?, output: @escaping @Sendable ([UInt8]) async -> Void) async throws {}
    func waitForExit(_ id: String) async throws -> Int32 { 0 }
    func stopContainer(_ id: String, gracePeriod: Duration) async throws {}
    func removeContainer(_ id: String) async throws {}
    func containers(labeled labels: [String: String]) async throws -> [ContainerSummary] { [] }
    func state(of id: String) async throws -> ContainerState? { nil }
}

/// Socket directories for tests that only build specifications.
struct NoDirectories: DaemonDirectories {
    var root: String { "/run/d" }
    func prepare(_ token: String) async throws -> String { "/run/d/\(token)" }
    func remove(_ token: String) async {}
    func tokens() async -> [String] { [] }
}
