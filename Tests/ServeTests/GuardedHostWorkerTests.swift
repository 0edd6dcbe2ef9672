// slipway — end-to-end tests
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import Docker
import Foundation
import Testing
import TestSupport

/// Host jobs with the guarded Docker socket (`workers.host.docker_api: guarded`), driven by the
/// real Docker CLI inside job containers on the private test daemon.
@Suite("host worker, guarded Docker socket", .serialized, .disabled(if: DockerTestEnvironment.isSkipped, DockerTestEnvironment.skipComment))
struct GuardedHostWorkerTests {
    let busybox = DockerTestEnvironment.busyboxImage
    let dind = DockerTestEnvironment.dindImage

    func withServer(concurrency: Int = 2, host: String = "", _ body: (SlipwayProcess) async throws -> Void) async throws {
        try await withSlipwayProcess(configuration: try ServeTestSetup.configuration(concurrency: concurrency, host: "docker_api: guarded\n" + host), body)
    }

    /// Containers, volumes and networks labelled as `server`'s job `id`'s (job IDs repeat
    /// across installations sharing the daemon; the instance label tells them apart).
    func leftovers(of id: Int, on server: SlipwayProcess) async throws -> (containers: [String], volumes: [String], networks: [String]) {
        let docker = try await DockerTestEnvironment.client()
        let filters = DockerFilters().label("slipway.job", "\(id)").label("slipway.role", "guarded").label("slipway.instance", try Self.instance(of: server))
        let containers = try await docker.listContainers(all: true, filters: filters).map(\.id)
        let volumes = try await docker.listVolumes(filters: filters).map(\.name)
        let networks = try await docker.listNetworks(filters: filters).map(\.name)
        return (containers, volumes, networks)
    }

    static func instance(of server: SlipwayProcess) throws -> String {
        try String(contentsOfFile: "\(server.dataDirectory)/instance", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A job builds, runs what it built, binds its workspace, joins one of its containers'
    /// network namespace and execs into it, and passes the socket down; a second job's build
    /// of the same Dockerfile hits the cache, with the classic builder and with BuildKit.
    @Test func aJobBuildsRunsBindsJoinsExecsAndASecondJobsBuildHitsTheCache() async throws {
        let tag = "slipway-guard-e2e-\(UInt32.random(in: 0...UInt32.max))"
        let dockerfile = "printf 'FROM \(self.busybox)\\nRUN echo built in a step > /built\\nCOPY file.txt /file.txt\\n' > Dockerfile"
        try await self.withServer { server in
            let first = try await server.submit(image: self.dind, script: [
                "echo 'hello from the workspace' > file.txt",
                dockerfile,
                "docker build --network none -t \(tag):1 .",
                "docker run --rm --network none \(tag):1 cat /built /file.txt",
                "docker run --rm --network none -v \"$PWD:/src\" \(self.busybox) cat /src/file.txt",
                "docker run -d --name srv-$SLIPWAY_JOB_ID --network none \(self.busybox) sh -c 'while true; do echo hello over localhost | nc -l -p 8080; done'",
                "docker exec srv-$SLIPWAY_JOB_ID sh -c 'echo exec in the server'",
                "for i in 1 2 3 4 5 6 7 8 9 10; do docker run --rm --network container:srv-$SLIPWAY_JOB_ID \(self.busybox) nc -w 2 127.0.0.1 8080 < /dev/null | grep . && break; sleep 0.5; done",
                "docker run --rm --network none -v /var/run/docker.sock:/var/run/docker.sock \(self.dind) docker ps --format 'nested sees {{.Names}}'",
                "docker ps -a --format 'listed {{.Names}}'",
            ])
            let job = try await server.waitForJob(first, timeout: .seconds(240))
            let log = try await server.logText(first)
            #expect(job.status == "success", "log:\n\(log)")
            #expect(log.contains("built in a step\nhello from the workspace\n"), "log:\n\(log)")
            #expect(log.components(separatedBy: "hello from the workspace\n").count >= 3, "the bind mount shows the file; log:\n\(log)")
            #expect(log.contains("exec in the server\n"), "log:\n\(log)")
            #expect(log.contains("hello over localhost\n"), "log:\n\(log)")
            #expect(log.contains("nested sees srv-\(first)\n"), "the socket passed down is the job's; log:\n\(log)")
            #expect(log.contains("listed srv-\(first)\n"), "log:\n\(log)")
            #expect(log.contains("removed container srv-\(first)"), "log:\n\(log)")
            #expect(try await self.leftovers(of: first, on: server).containers.isEmpty)

            let second = try await server.submit(image: self.dind, script: [
                "echo 'hello from the workspace' > file.txt",
                dockerfile,
                "docker build --network none -t \(tag):2 .",
                "DOCKER_BUILDKIT=1 docker build --network none --progress plain -t \(tag):3 .",
                "docker image inspect --format 'built image {{.Id}}' \(tag):2",
                "docker rmi \(tag):2 \(tag):3",
                "if docker rmi \(tag):1 2> refusal; then echo removed another job\\'s tag; else cat refusal; fi",
            ])
            let secondJob = try await server.waitForJob(second, timeout: .seconds(240))
            let secondLog = try await server.logText(second)
            #expect(secondJob.status == "success", "log:\n\(secondLog)")
            #expect(secondLog.contains("Using cache"), "the classic builder hits the first job's cache; log:\n\(secondLog)")
            #expect(secondLog.contains("CACHED"), "BuildKit (through /session) hits it too; log:\n\(secondLog)")
            #expect(secondLog.contains("rule image-removal"), "log:\n\(secondLog)")
        }
        // The image stays: it is the cache.
        let docker = try await DockerTestEnvironment.client()
        #expect(try await docker.imageExists("\(tag):1"))
        _ = try? await docker.removeImage("\(tag):1", force: true)
    }

    /// While job 1 runs a container, job 2 cannot see or touch it, and every forbidden create
    /// option is refused with its rule named.
    @Test func aSecondJobCannotTouchTheFirstJobsContainersAndForbiddenOptionsAreRefused() async throws {
        let victim = "victim-\(UInt32.random(in: 0...UInt32.max))"
        let engineSocket = String(try DockerTestEnvironment.host().dropFirst("unix://".count))
        try await self.withServer { server in
            let first = try await server.submit(image: self.dind, script: [
                "docker run -d --name \(victim) --network none \(self.busybox) sleep 300",
                "echo VICTIM-READY",
                "sleep 120",
            ])
            try await server.waitForLog(first, containing: "VICTIM-READY\n", timeout: .seconds(90))
            let attempts = ["stop \(victim)", "rm \(victim)", "rm -f \(victim)", "exec \(victim) true", "logs \(victim)", "inspect \(victim)", "kill \(victim)"]
            let options = [
                ("privileged", "--privileged"), ("host-namespaces", "--pid=host"), ("host-namespaces", "--network=host"),
                ("bind-mounts", "-v /:/host"), ("docker-socket", "-v \(engineSocket):/var/run/docker.sock"),
                ("devices", "--device /dev/null"), ("security-options", "--security-opt seccomp=unconfined"),
            ]
            var script = ["docker ps -a --format 'visible {{.Names}}'"]
            script += attempts.map { "if docker \($0) > out 2>&1; then echo \"done: \($0)\"; else echo \"refused: \($0): $(head -n 1 out)\"; fi" }
            script += options.map { "if docker run --rm \($0.1) \(self.busybox) true > out 2>&1; then echo 'ran with \($0.1)'; else echo \"refused \($0.1): $(cat out)\"; fi" }
            let second = try await server.submit(image: self.dind, script: script)
            let secondJob = try await server.waitForJob(second, timeout: .seconds(120))
            let log = try await server.logText(second)
            #expect(secondJob.status == "success", "log:\n\(log)")
            #expect(!log.contains("visible \(victim)"), "log:\n\(log)")
            let lines = log.split(separator: "\n")
            for attempt in attempts where attempt != "rm -f \(victim)" {
                #expect(lines.contains { $0.hasPrefix("refused: \(attempt): ") }, "\(attempt); log:\n\(log)")
                #expect(!lines.contains("done: \(attempt)"), "log:\n\(log)")
            }
            for (rule, option) in options {
                #expect(lines.contains { $0.hasPrefix("refused \(option):") && $0.contains("(rule \(rule)") }, "\(option) refused with rule \(rule); log:\n\(log)")
                #expect(!lines.contains("ran with \(option)"), "log:\n\(log)")
            }
            // Job 1's container is untouched.
            let docker = try await DockerTestEnvironment.client()
            #expect(try await docker.inspectContainer(victim).state?.running == true)
            _ = try await server.request(.post, "/v1/jobs/\(first)/cancel")
            _ = try await server.waitForJob(first, timeout: .seconds(60))
            let firstLog = try await server.logText(first)
            #expect(try await self.leftovers(of: first, on: server).containers.isEmpty, "canceled job 1's container is removed; log:\n\(firstLog)")
        }
    }

    /// What a job leaves behind — a running container, a volume, a network — is removed when it
    /// ends, with a line in its log for each.
    @Test func leftoversAreRemovedWhenTheJobEnds() async throws {
        try await self.withServer { server in
            let id = try await server.submit(image: self.dind, script: [
                "docker run -d --name left-$SLIPWAY_JOB_ID --network none \(self.busybox) sleep 300",
                "docker volume create left-volume-$SLIPWAY_JOB_ID",
                "docker network create left-network-$SLIPWAY_JOB_ID",
                "docker run -d --network none -v left-volume-$SLIPWAY_JOB_ID:/data \(self.busybox) sleep 300",
            ])
            let job = try await server.waitForJob(id, timeout: .seconds(120))
            let log = try await server.logText(id)
            #expect(job.status == "success", "log:\n\(log)")
            #expect(log.contains("removed container left-\(id) "), "log:\n\(log)")
            #expect(log.contains("removed volume left-volume-\(id),"), "log:\n\(log)")
            #expect(log.contains("removed network left-network-\(id),"), "log:\n\(log)")
            let left = try await self.leftovers(of: id, on: server)
            #expect(left.containers.isEmpty && left.volumes.isEmpty && left.networks.isEmpty, "\(left); log:\n\(log)")
        }
    }

    /// Killed with SIGKILL while a job ran; the job ends while slipway is down; the restarted
    /// slipway removes what the job left.
    @Test func leftoversAreRemovedAfterKill9AndARestart() async throws {
        try await self.withServer { server in
            let id = try await server.submit(image: self.dind, script: [
                "docker run -d --name crash-left-$SLIPWAY_JOB_ID --network none \(self.busybox) sleep 300",
                "docker volume create crash-volume-$SLIPWAY_JOB_ID",
                "echo LEFT-READY",
                // Ends only once slipway has been killed: the test creates the file then.
                "while [ ! -e slipway-was-killed ]; do sleep 0.1; done",
            ])
            try await server.waitForLog(id, containing: "LEFT-READY\n", timeout: .seconds(90))
            await server.stop(signal: SIGKILL)
            #expect(FileManager.default.createFile(atPath: "\(server.dataDirectory)/workspaces/\(id)/slipway-was-killed", contents: nil))
            // The job's container ends while slipway is down.
            let docker = try await DockerTestEnvironment.client()
            let jobContainer = DockerFilters().label("slipway.job", "\(id)").label("slipway.role", "job").label("slipway.instance", try Self.instance(of: server))
            try await waitUntil("the job's container exits while slipway is down", timeout: .seconds(60), interval: .milliseconds(100)) {
                try await docker.listContainers(all: false, filters: jobContainer).isEmpty
            }
            #expect(try await self.leftovers(of: id, on: server).containers.count == 1, "the job's container is left while slipway is down")
            try await server.start()
            let job = try await server.waitForJob(id, timeout: .seconds(60))
            #expect(job.status == "success")
            // The job finished while slipway was down: start-up reconciliation removes what it left.
            let removed = try await eventually(timeout: .seconds(30), interval: .milliseconds(100)) {
                let left = try await self.leftovers(of: id, on: server)
                return left.containers.isEmpty && left.volumes.isEmpty
            }
            let left = try await self.leftovers(of: id, on: server)
            #expect(removed, "\(left)")
            let log = try await server.logText(id)
            #expect(log.contains("slipway restarted; removed container crash-left-\(id)"), "log:\n\(log)")
            #expect(log.contains("slipway restarted; removed volume crash-volume-\(id)"), "log:\n\(log)")
        }
    }
}
