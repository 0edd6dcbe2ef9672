// slipway — dind worker tests
// SPDX-License-Identifier: Apache-2.0

import Application
import Docker
import Foundation
import Jobs
import Logging
import Testing
import TestSupport

/// A started ``SlipwayApplication`` with a dind pool on the test daemon, and what the tests
/// ask of it: run a job to its end, read its log, list what it left on the host daemon.
struct Harness {
    let application: SlipwayApplication
    let docker: DockerClient
    let dataDirectory: String
    let socketDirectory: String

    /// Starts slipway with `dind` overriding the test pool's settings.
    static func start(_ what: String, dind: [String: String] = [:]) async throws -> Harness {
        let docker = try await DockerTestEnvironment.client()
        let (data, sockets) = try DindTestSetup.makeDirectories(what)
        let text = """
            listen: ["127.0.0.1:0"]
            data_dir: \(data)
            \(try DindTestSetup.configurationText(socketDirectory: sockets, dind: dind))
            """
        let configuration = try SlipwayConfiguration.parse(yaml: text)
        var logger = Logger(label: "slipway.test.\(what)")
        logger.logLevel = .warning
        let application = try await SlipwayApplication(configuration: configuration, logger: logger)
        try await application.start()
        return Harness(application: application, docker: docker, dataDirectory: data, socketDirectory: sockets)
    }

    var instance: String { self.application.instance }
    var worker: DindWorker { self.application.dindWorker! }

    /// Records a job and queues it.
    func submit(_ script: [String], project: String? = nil, timeout: Duration = .seconds(120), name: String = "dind-test") async throws -> Job {
        let specification = JobSpecification(name: name, image: DockerTestEnvironment.dindImage, script: script, worker: .dind, timeout: timeout, project: project)
        let job = try await self.application.store.insert(specification, status: .pending, at: Date())
        await self.application.scheduler.submit(job)
        return job
    }

    /// Waits until job `id` has finished and returns it.
    func finished(_ id: JobID, within limit: Duration = .seconds(180)) async throws -> Job {
        var finished: Job?
        do {
            try await waitUntil("job \(id) finished", timeout: limit, interval: .milliseconds(50)) {
                finished = try await self.application.store.job(id).flatMap { $0.status.isFinished ? $0 : nil }
                return finished != nil
            }
        } catch is WaitTimedOut {
            Issue.record("job \(id) did not finish within \(limit); log so far:\n\(try await self.log(id))")
            throw DockerTestSetupError(message: "job \(id) did not finish")
        }
        return finished!
    }

    /// Waits until `condition` holds for job `id`'s record and log.
    func wait(for id: JobID, within limit: Duration = .seconds(60), until condition: (Job, String) -> Bool) async throws {
        do {
            try await waitUntil("job \(id) in the expected state", timeout: limit, interval: .milliseconds(50)) {
                guard let job = try await self.application.store.job(id) else { return false }
                return condition(job, try await self.log(id))
            }
        } catch is WaitTimedOut {
            Issue.record("job \(id) did not reach the expected state within \(limit); log so far:\n\(try await self.log(id))")
            throw DockerTestSetupError(message: "job \(id) did not reach the expected state")
        }
    }

    /// Runs a job to its end.
    func run(_ script: [String], project: String? = nil, timeout: Duration = .seconds(120)) async throws -> (job: Job, log: String) {
        let job = try await self.submit(script, project: project, timeout: timeout)
        let done = try await self.finished(job.id)
        return (done, try await self.log(job.id))
    }

    func log(_ id: JobID) async throws -> String {
        let chunk = try await self.application.logs.read(id, from: 0, maximum: 16 * 1024 * 1024)
        return String(decoding: chunk.bytes, as: UTF8.self)
    }

    /// Containers and volumes of this slipway installation that are still on the host daemon,
    /// leaving out layer caches (kept on purpose) unless `includingCaches`.
    func leftovers(includingCaches: Bool = false) async throws -> [String] {
        let filters = DockerFilters().label("slipway.instance", self.instance)
        let containers = try await self.docker.listContainers(all: true, filters: filters).map { "container \($0.names?.first ?? $0.id) \($0.labels ?? [:])" }
        let volumes = try await self.docker.listVolumes(filters: filters)
            .filter { includingCaches || $0.labels?["slipway.role"] != "cache" }
            .map { "volume \($0.name) \($0.labels ?? [:])" }
        return containers + volumes
    }

    /// Leftovers, waited for briefly: tear-down finishes just after the job is recorded.
    func leftoversAfterTeardown() async throws -> [String] {
        var found: [String] = []
        _ = try await eventually(timeout: .seconds(120), interval: .milliseconds(100)) {
            found = try await self.leftovers()
            return found.isEmpty
        }
        return found
    }

    /// The socket directories of daemons that still exist.
    func socketDirectories() -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: self.socketDirectory)) ?? []
    }

    /// Shuts slipway down and removes everything of this installation from the host daemon
    /// (caches included) and from disk.
    func close() async {
        await self.application.shutdown()
        let filters = DockerFilters().label("slipway.instance", self.instance)
        for container in (try? await self.docker.listContainers(all: true, filters: filters)) ?? [] {
            _ = try? await self.docker.removeContainer(container.id, force: true, removeVolumes: true, idempotent: true)
        }
        for volume in (try? await self.docker.listVolumes(filters: filters)) ?? [] {
            _ = try? await self.docker.removeVolume(volume.name, force: true, idempotent: true)
        }
        try? FileManager.default.removeItem(atPath: self.dataDirectory)
        try? FileManager.default.removeItem(atPath: self.socketDirectory)
    }

    /// Runs `body` with a started harness, closing it however `body` ends.
    static func with(_ what: String, dind: [String: String] = [:], _ body: (Harness) async throws -> Void) async throws {
        let harness = try await Harness.start(what, dind: dind)
        do {
            try await body(harness)
        } catch {
            await harness.close()
            throw error
        }
        await harness.close()
    }
}

/// Shell lines that build a small image inside a job from the static busybox the job image
/// carries (nothing can be pulled), with the classic builder and no network.
enum BuildScript {
    static func image(_ tag: String, steps: [String] = []) -> [String] {
        let dockerfile = (["FROM scratch", "COPY busybox /bin/busybox"] + steps).joined(separator: "\\n")
        return [
            "mkdir -p ctx-\(tag.split(separator: ":")[0]) && cp /bin/busybox ctx-\(tag.split(separator: ":")[0])/",
            "printf '\(dockerfile)\\n' > ctx-\(tag.split(separator: ":")[0])/Dockerfile",
            "DOCKER_BUILDKIT=0 docker build --network none -t \(tag) ctx-\(tag.split(separator: ":")[0])",
        ]
    }
}
