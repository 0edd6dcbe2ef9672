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
@Suite("dind worker crash recovery (live)", .serialized, .disabled(if: DockerTestEnvironment.isSkipped, DockerTestEnvironment.skipComment))
struct DindCrashRecoveryTests {
    @Test("kill -9 with a dind job running, then restart: the job finishes on its daemon and nothing leaks")
    func killNineAndRestart() async throws {
        let docker = try await DockerTestEnvironment.client()
        let (data, sockets) = try DindTestSetup.makeDirectories("crash")
        let configuration = try DindTestSetup.configurationText(socketDirectory: sockets, dind: ["warm": "1"])
        let server = try SlipwayProcess(configuration: configuration, listen: .unix("\(data)/api.sock"), directory: data)
        var instance = ""
        defer {
            try? FileManager.default.removeItem(atPath: data)
            try? FileManager.default.removeItem(atPath: sockets)
        }
        do {
            try await server.start()
            try await server.waitUntilReady()
            instance = try String(contentsOfFile: "\(server.dataDirectory)/instance", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            // The job waits for a file the test creates once slipway runs again, so it is still
            // running when the new process looks for it, however slow the restart.
            let id = try await server.submit(name: "crash", image: DockerTestEnvironment.dindImage, script: [
                "echo crash-test-running", "while [ ! -e restarted ]; do sleep 0.1; done",
                "docker version --format 'inner daemon {{.Server.Version}}'",
            ], worker: "dind")
            try await server.waitForLog(id, containing: "\ncrash-test-running\n")
            await server.kill()

            try await server.start()
            try await server.waitUntilReady()
            try await server.waitForLog(id, containing: "slipway restarted; following the job again")
            #expect(FileManager.default.createFile(atPath: "\(server.dataDirectory)/workspaces/\(id)/restarted", contents: nil))
            let job = try await server.waitForJob(id, timeout: .seconds(180))
            let log = try await server.logText(id)
            #expect(job.status == "success", "\(job.fields)\n\(log)")
            #expect(log.contains("slipway restarted; following the job again"), "\(log)")
            #expect(log.contains("inner daemon "), "the job still reached its own daemon after the restart: \(log)")
            // The first run's warm daemon was reaped at start-up; the second run's one is ready.
            let daemons = try await docker.listContainers(all: true, filters: DockerFilters().label("slipway.instance", instance).label("slipway.role", "dind"))
            #expect(daemons.count <= 1, "\(daemons.map { $0.names ?? [] })")
            await server.stop()
        } catch {
            await server.kill()
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
