// slipway — Application tests
// SPDX-License-Identifier: Apache-2.0

import Foundation
#if canImport(Glibc)
import Glibc
#endif
@testable import Application
import Testing

@Suite("configuration file")
struct SlipwayConfigurationTests {
    @Test func defaultsWithoutAFile() throws {
        let configuration = try SlipwayConfiguration.parse(yaml: "")
        #expect(configuration.dockerHost == nil)
        #expect(configuration.workers.host.concurrency == 2)
        #expect(configuration.workers.outputLimit == 4 * 1024 * 1024)
        #expect(configuration.workers.defaultTimeout == .seconds(3600))
        #expect(configuration.workers.host.allowAPISubmissions == false)
        #expect(configuration.workers.host.dockerAPI == .guarded)
        #expect(configuration.workers.host.pidsLimit == nil)
        #expect(configuration.workers.host.guardSettings.maxConnections == 256)
    }

    @Test func readsTheGuardedSocketSettings() throws {
        let configuration = try SlipwayConfiguration.parse(yaml: """
            workers:
              host:
                docker_api: guarded
                pids_limit: 1024
                guard:
                  socket_dir: /run/slipway/guard
                  allowed_capabilities: [net_admin, CAP_SYS_PTRACE]
                  max_connections: 32
                  header_timeout: 5s
                  projects:
                    - path: group/app
                      allow: [bind-mounts, privileged]
                      allowed_capabilities: [SYS_TIME]
                      bind_paths: [/srv/cache]
                    - path: group/legacy
                      docker_api: full
            """)
        let host = configuration.workers.host
        #expect(host.dockerAPI == .guarded)
        #expect(host.pidsLimit == 1024)
        #expect(host.guardSettings.socketDirectory == "/run/slipway/guard")
        #expect(host.guardSettings.allowedCapabilities == ["NET_ADMIN", "SYS_PTRACE"])
        #expect(host.guardSettings.maxConnections == 32)
        #expect(host.guardSettings.headerTimeout == .seconds(5))
        let app = try #require(host.guardSettings.rules(for: "group/app"))
        #expect(app.allow == [.bindMounts, .privileged])
        #expect(app.allowedCapabilities == ["SYS_TIME"])
        #expect(app.bindPaths == ["/srv/cache"])
        #expect(app.dockerAPI == nil)
        #expect(host.guardSettings.rules(for: "group/legacy")?.dockerAPI == .full)
        #expect(host.guardSettings.rules(for: "group/other") == nil)
        #expect(host.guardSettings.rules(for: nil) == nil)
    }

    @Test func readsTheWebPagesSettings() throws {
        let defaults = try SlipwayConfiguration.parse(yaml: "public_url: https://ci.example.com")
        #expect(defaults.ui.sessionLifetime == .seconds(12 * 3600))
        #expect(defaults.ui.secureCookies(publicURL: defaults.publicURL))
        #expect(!SlipwayConfiguration.UISettings().secureCookies(publicURL: "http://127.0.0.1:8080"))
        let set = try SlipwayConfiguration.parse(yaml: "public_url: https://ci.example.com\nui:\n  session_lifetime: 30m\n  secure_cookies: false")
        #expect(set.ui.sessionLifetime == .seconds(1800) && !set.ui.secureCookies(publicURL: set.publicURL))
        #expect(throws: ConfigurationError.self) { try SlipwayConfiguration.parse(yaml: "ui:\n  session_lifetime: 5s") }
        #expect(throws: ConfigurationError.self) { try SlipwayConfiguration.parse(yaml: "ui:\n  theme: dark") }
    }

    @Test func readsTheJobSettings() throws {
        let configuration = try SlipwayConfiguration.parse(yaml: """
            docker:
              host: tcp://127.0.0.1:2375
            workers:
              stop_grace_period: 3s
              output_limit: 512k
              default_timeout: 30m
              per_project_limit: 1
              host:
                concurrency: 0
                network: none
                memory: 2g
                cpus: 1.5
                allowed_projects: [group/a, group/b]
                allow_api_submissions: true
            """)
        #expect(configuration.dockerHost == "tcp://127.0.0.1:2375")
        #expect(configuration.workers.stopGracePeriod == .seconds(3))
        #expect(configuration.workers.outputLimit == 512 * 1024)
        #expect(configuration.workers.defaultTimeout == .seconds(1800))
        #expect(configuration.workers.perProjectLimit == 1)
        #expect(configuration.workers.host.concurrency == 0)
        #expect(configuration.workers.host.network == "none")
        #expect(configuration.workers.host.memoryBytes == 2 << 30)
        #expect(configuration.workers.host.cpus == 1.5)
        #expect(configuration.workers.host.allowedProjects == ["group/a", "group/b"])
        #expect(configuration.workers.host.allowAPISubmissions)
    }

    @Test(arguments: [("4194304", 4_194_304), ("512m", 512 << 20), ("2G", 2 << 30), ("64KiB", 64 << 10), ("3mb", 3 << 20)])
    func readsSizes(_ text: String, _ bytes: Int) throws {
        let configuration = try SlipwayConfiguration.parse(yaml: "workers:\n  output_limit: \(text)\n")
        #expect(configuration.workers.outputLimit == bytes)
    }

    /// Every mistake names the key it is about.
    @Test(arguments: [
        ("docker:\n  host: ftp://x\n", "docker.host"),
        ("docker:\n  hots: unix:///x\n", "hots"),
        ("workers:\n  output_limit: lots\n", "workers.output_limit"),
        ("workers:\n  output_limit: 12q\n", "workers.output_limit"),
        ("workers:\n  output_limit: 99999999999999999999g\n", "workers.output_limit"),
        ("workers:\n  host:\n    concurrency: -1\n", "workers.host.concurrency"),
        ("workers:\n  host:\n    cpus: many\n", "workers.host.cpus"),
        ("workers:\n  host:\n    memory: 1m\n", "workers.host.memory"),
        ("workers:\n  default_timeout: forever\n", "workers.default_timeout"),
        ("workers:\n  host:\n    allow_api_submissions: maybe\n", "workers.host.allow_api_submissions"),
        ("workers:\n  hosts: {}\n", "hosts"),
        ("workers:\n  host:\n    docker_api: partial\n", "workers.host.docker_api"),
        ("workers:\n  host:\n    pids_limit: 1\n", "workers.host.pids_limit"),
        ("workers:\n  host:\n    guard:\n      socket_dir: run/guard\n", "workers.host.guard.socket_dir"),
        ("workers:\n  host:\n    guard:\n      allowed_capabilities: [ALL]\n", "workers.host.guard.allowed_capabilities"),
        ("workers:\n  host:\n    guard:\n      projects:\n        - path: a/b\n          allow: [endpoint]\n", "workers.host.guard.projects[0].allow"),
        ("workers:\n  host:\n    guard:\n      projects:\n        - path: a/b\n          allow: [everything]\n", "workers.host.guard.projects[0].allow"),
        ("workers:\n  host:\n    guard:\n      projects:\n        - path: a/b\n          bind_paths: [srv/x]\n", "workers.host.guard.projects[0].bind_paths"),
        ("workers:\n  host:\n    guard:\n      projects:\n        - allow: []\n", "workers.host.guard.projects[0]"),
        ("workers:\n  host:\n    guard:\n      projets: []\n", "projets"),
    ])
    func refusesMistakesNamingTheKey(_ yaml: String, _ key: String) {
        #expect {
            try SlipwayConfiguration.parse(yaml: yaml)
        } throws: { error in
            "\(error)".contains(key)
        }
    }
}

/// The configuration files shipped in deploy/ must load: they document every key, and a key
/// renamed in the code without them would otherwise go unnoticed until an operator tries them.
@Suite("shipped configuration files")
struct ShippedConfigurationTests {
    static let root: String = {
        var path = #filePath
        for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
        return path
    }()

    @Test(arguments: ["deploy/slipway.example.yml", "deploy/slipway.container.yml", "deploy/compose/host.slipway.yml", "deploy/compose/dind.slipway.yml"])
    func loads(_ file: String) throws {
        // The compose examples take their API token from the environment.
        _ = try SlipwayConfiguration.load(path: "\(Self.root)/\(file)", environment: ["SLIPWAY_CI_TOKEN": "a-token-for-the-test"])
    }

    /// The example's `workers.dind` section is commented out (no dind pool by default); with
    /// its `#` removed it must still load, every key with the value shown.
    @Test func theExampleDindSectionLoadsUncommented() throws {
        let text = try String(contentsOfFile: "\(Self.root)/deploy/slipway.example.yml", encoding: .utf8)
        var lines: [String] = []
        var inDind = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line == "  # dind:" { inDind = true }
            else if inDind && !line.hasPrefix("  #   ") { inDind = false }
            guard inDind else { lines.append(line); continue }
            let uncommented = "  " + line.dropFirst(4)
            // Continuation lines hold only a comment.
            if uncommented.trimmingCharacters(in: .whitespaces).hasPrefix("#") { continue }
            lines.append(uncommented)
        }
        let configuration = try SlipwayConfiguration.parse(yaml: lines.joined(separator: "\n"), environment: ["SLIPWAY_CI_TOKEN": "a-token-for-the-test"])
        let dind = try #require(configuration.workers.dind)
        let defaults = SlipwayConfiguration.WorkerSettings.DindPool()
        #expect(dind.image == defaults.image && dind.concurrency == defaults.concurrency && dind.warm == defaults.warm)
        #expect(dind.cache == defaults.cache && dind.privileged == defaults.privileged && dind.network == defaults.network)
        #expect(dind.startupDeadline == defaults.startupDeadline && dind.startAttempts == defaults.startAttempts)
        #expect(dind.daemonArguments == defaults.daemonArguments)
        #expect(dind.cacheMaximumBytes == 10_737_418_240 && dind.cacheBudgetBytes == 53_687_091_200)
        #expect(dind.memoryBytes == 4_294_967_296 && dind.cpus == 2 && dind.socketDirectory == "/run/slipway/dind")
    }
}
