// slipway — dind worker tests
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import Docker
import Foundation
import Testing
import TestSupport

/// `kill -9` of a real slipway process while a dind job runs (with a warm daemon waiting), then
/// a restart: the job is followed to its end on the daemon that survived, the orphaned warm
/// daemon is reaped, and after a graceful stop nothing labelled as this installation's remains.
@Suite("dind worker crash recovery (live)", .serialized, .enabled(if: dindTestsEnabled, "SLIPWAY_SKIP_DOCKER=1: needs the private Docker daemon (eval \"$(scripts/docker-test-env.sh start)\")"))
struct DindCrashRecoveryTests {
    /// The slipway executable `swift build --build-tests` built next to the tests.
    static var executable: String { "\(ProcessRunner.repositoryRoot)/.build/debug/slipway" }

    @Test("kill -9 with a dind job running, then restart: the job finishes on its daemon and nothing leaks")
    func killNineAndRestart() async throws {
        let docker = try await DindTestEnvironment.docker()
        guard FileManager.default.isExecutableFile(atPath: Self.executable) else {
            Issue.record("\(Self.executable) is missing: build it with swift build --build-tests")
            return
        }
        let (data, sockets) = try DindTestEnvironment.makeDirectories("crash")
        let api = "\(data)/api.sock"
        let configuration = "\(data)/slipway.yaml"
        try DindTestEnvironment.configurationText(dataDirectory: data, socketDirectory: sockets, listen: "unix:\(api)", dind: ["warm": "1"])
            .write(toFile: configuration, atomically: true, encoding: .utf8)
        var instance = ""
        defer {
            try? FileManager.default.removeItem(atPath: data)
            try? FileManager.default.removeItem(atPath: sockets)
        }

        var server = try SlipwayProcess(executable: Self.executable, configuration: configuration, api: api, logPath: "\(data)/first.log")
        do {
            try await server.waitUntilReady()
            instance = try String(contentsOfFile: "\(data)/instance", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            let submitted = try await server.request("POST", "/v1/jobs", body: """
                {"name":"crash","image":"\(DindTestEnvironment.dindImage)","worker":"dind",
                 "script":["echo crash-test-running","sleep 8","docker version --format 'inner daemon {{.Server.Version}}'"]}
                """)
            let id = try #require(submitted["id"] as? Int, "\(submitted)")
            try await server.waitForLog(id, containing: "\ncrash-test-running\n")
            server.kill()

            server = try SlipwayProcess(executable: Self.executable, configuration: configuration, api: api, logPath: "\(data)/second.log")
            try await server.waitUntilReady()
            let job = try await server.waitUntilFinished(id)
            let log = try await server.log(id)
            #expect(job["status"] as? String == "success", "\(job)\n\(log)")
            #expect(log.contains("slipway restarted; following the job again"), "\(log)")
            #expect(log.contains("inner daemon "), "the job still reached its own daemon after the restart: \(log)")
            // The first run's warm daemon was reaped at start-up; the second run's one is ready.
            let daemons = try await docker.listContainers(all: true, filters: DockerFilters().label("slipway.instance", instance).label("slipway.role", "dind"))
            #expect(daemons.count <= 1, "\(daemons.map { $0.names ?? [] })")
            await server.terminate()
        } catch {
            server.kill()
            await Self.sweep(docker, instance: instance)
            throw error
        }
        // After a graceful stop: no container, volume or socket directory of this installation.
        let containers = try await docker.listContainers(all: true, filters: DockerFilters().label("slipway.instance", instance))
        let volumes = try await docker.listVolumes(filters: DockerFilters().label("slipway.instance", instance))
        #expect(containers.isEmpty, "\(containers.map { ($0.names ?? [], $0.labels ?? [:]) })")
        #expect(volumes.isEmpty, "\(volumes.map(\.name))")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: sockets)) ?? []).isEmpty)
        await Self.sweep(docker, instance: instance)
    }

    static func sweep(_ docker: DockerClient, instance: String) async {
        guard !instance.isEmpty else { return }
        let filters = DockerFilters().label("slipway.instance", instance)
        for container in (try? await docker.listContainers(all: true, filters: filters)) ?? [] {
            _ = try? await docker.removeContainer(container.id, force: true, removeVolumes: true, idempotent: true)
        }
        for volume in (try? await docker.listVolumes(filters: filters)) ?? [] {
            _ = try? await docker.removeVolume(volume.name, force: true, idempotent: true)
        }
    }
}

/// A `slipway serve` child process, driven with curl over its Unix socket.
struct SlipwayProcess {
    let process: Process
    let api: String

    init(executable: String, configuration: String, api: String, logPath: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["serve", "--config", configuration]
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process
        self.api = api
    }

    /// SIGKILL, by process id: no clean-up of any kind.
    func kill() {
        guard self.process.isRunning else { return }
        Glibc.kill(self.process.processIdentifier, SIGKILL)
        self.process.waitUntilExit()
    }

    /// SIGTERM, then wait for the graceful shutdown.
    func terminate() async {
        guard self.process.isRunning else { return }
        self.process.terminate()
        for _ in 0..<600 where self.process.isRunning { try? await Task.sleep(for: .milliseconds(50)) }
        self.kill()
    }

    func waitUntilReady() async throws {
        for _ in 0..<600 {
            if let result = try? await ProcessRunner.run("curl", ["-sf", "--unix-socket", self.api, "http://slipway/readyz"]), result.status == 0 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("slipway did not become ready on \(self.api)")
        throw SetupError()
    }

    func request(_ method: String, _ path: String, body: String? = nil) async throws -> [String: Any] {
        var arguments = ["-s", "--unix-socket", self.api, "-X", method, "http://slipway\(path)"]
        if let body { arguments += ["-H", "Content-Type: application/json", "--data-binary", body] }
        let result = try await ProcessRunner.run("curl", arguments)
        return (try JSONSerialization.jsonObject(with: Data(result.stdoutBytes)) as? [String: Any]) ?? [:]
    }

    func log(_ id: Int) async throws -> String {
        try await ProcessRunner.run("curl", ["-s", "--unix-socket", self.api, "http://slipway/v1/jobs/\(id)/log"]).stdout
    }

    func waitForLog(_ id: Int, containing text: String) async throws {
        for _ in 0..<1200 {
            if try await self.log(id).contains(text) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("job \(id)'s log never contained \(text): \(try await self.log(id))")
        throw SetupError()
    }

    func waitUntilFinished(_ id: Int) async throws -> [String: Any] {
        for _ in 0..<1800 {
            let job = try await self.request("GET", "/v1/jobs/\(id)")
            if let status = job["status"] as? String, ["success", "failed", "canceled"].contains(status) { return job }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("job \(id) did not finish: \(try await self.log(id))")
        throw SetupError()
    }
}
