// slipway — end-to-end tests
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import TestSupport

/// `slipway serve` with the host worker on the private test daemon, driven over HTTP.
@Suite("host worker, end to end", .serialized, .disabled(if: DockerTestEnvironment.isSkipped, DockerTestEnvironment.skipComment))
struct HostWorkerEndToEndTests {
    let busybox = DockerTestEnvironment.busyboxImage

    /// Runs `body` against a fresh server and tears it down whatever happens.
    func withServer(concurrency: Int = 2, workers: String = "", host: String = "", _ body: (SlipwayProcess) async throws -> Void) async throws {
        try await withSlipwayProcess(configuration: try ServeTestSetup.configuration(concurrency: concurrency, workers: workers, host: host), body)
    }

    @Test func aSucceedingScriptEndsInSuccessWithItsOutput() async throws {
        try await self.withServer { server in
            let id = try await server.submit(image: self.busybox, script: ["echo hello from the job", "echo \"job $CI_JOB_ID in $CI_PROJECT_DIR\""])
            let job = try await server.waitForJob(id)
            let log = try await server.logText(id)
            #expect(job.status == "success", "log:\n\(log)")
            #expect(job.exitCode == 0)
            #expect(job.failureReason == nil)
            #expect(log.contains("$ echo hello from the job\nhello from the job\n"))
            #expect(log.contains("job \(id) in \(server.dataDirectory)/workspaces/"))
            #expect(job.fields["started_at"] is String && job.fields["finished_at"] is String)
            #expect((job.fields["duration"] as? Double ?? -1) >= 0)
            // The container is gone once the job has finished.
            #expect(try await ServeTestSetup.containers(of: server).isEmpty)
        }
    }

    @Test func aFailingLineEndsInScriptFailureWithTheExitCodeAndTheLinesBefore() async throws {
        try await self.withServer { server in
            let id = try await server.submit(image: self.busybox, script: ["echo before", "sh -c 'exit 7'", "echo after"])
            let job = try await server.waitForJob(id)
            #expect(job.status == "failed")
            #expect(job.failureReason == "script_failure")
            #expect(job.exitCode == 7)
            let log = try await server.logText(id)
            #expect(log.contains("before\n"))
            #expect(log.contains("$ sh -c 'exit 7'"))
            #expect(!log.contains("after\n"))
            #expect(log.contains("exit code 7"))
        }
    }

    /// The workspace is mounted at the same path in the job container as on the host, so the
    /// host daemon resolves `-v "$PWD:/src"` and a build context from the workspace.
    @Test func dockerBuildAndBindMountsOfTheWorkspaceWorkThroughTheHostSocket() async throws {
        let tag = "slipway-e2e-build-\(UInt32.random(in: 0...UInt32.max))"
        try await self.withServer { server in
            let id = try await server.submit(image: DockerTestEnvironment.dindImage, script: [
                "echo 'hello from the workspace' > file.txt",
                "printf 'FROM \(self.busybox)\\nCOPY file.txt /baked.txt\\n' > Dockerfile",
                "docker build -q -t \(tag) .",
                "docker run --rm --network none \(tag) cat /baked.txt",
                "docker run --rm --network none -v \"$PWD:/src\" \(self.busybox) cat /src/file.txt",
                "docker rmi -f \(tag) > /dev/null",
            ])
            let job = try await server.waitForJob(id, timeout: .seconds(120))
            let log = try await server.logText(id)
            #expect(job.status == "success", "log:\n\(log)")
            let lines = log.split(separator: "\n").filter { $0 == "hello from the workspace" }
            #expect(lines.count == 2, "both the image and the bind mount show the file; log:\n\(log)")
        }
    }

    /// Job containers on `network: none` are created without the engine's network sandbox
    /// (NetworkDisabled) and get `/etc/hosts` from slipway: from inside they look like
    /// `docker run --network none`.
    @Test func aNetworkNoneJobResolvesLocalhostHasOnlyLoopbackAndReachesNothingElse() async throws {
        let hostNamespace = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/net")
        try await self.withServer { server in
            let id = try await server.submit(image: self.busybox, script: [
                "cat /etc/hosts",
                "ping -c 1 -W 2 localhost",
                #"echo "interfaces: $(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | tr '\n' ' ')""#,
                #"echo "netns: $(readlink /proc/self/ns/net)""#,
                "ping -c 1 -W 2 192.0.2.1 2>&1 | grep 'Network is unreachable'",
                // slipway's own API on the host's loopback: the job's 127.0.0.1 is its own lo.
                "if nc -w 2 127.0.0.1 \(server.port) < /dev/null; then echo 'slipway: reached'; else echo 'slipway: not reached'; fi",
            ])
            let job = try await server.waitForJob(id)
            let log = try await server.logText(id)
            #expect(job.status == "success", "log:\n\(log)")
            #expect(log.contains("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"), "log:\n\(log)")
            #expect(log.contains("1 packets transmitted, 1 packets received"), "log:\n\(log)")
            #expect(log.contains("\ninterfaces: lo \n"), "log:\n\(log)")
            #expect(log.contains("\nnetns: net:[") && !log.contains("\nnetns: \(hostNamespace)\n"), "log:\n\(log)")
            #expect(log.contains("sendto: Network is unreachable"), "log:\n\(log)")
            #expect(log.contains("\nslipway: not reached\n"), "log:\n\(log)")
        }
    }

    @Test func aMissingImageFailsWithImageNotFound() async throws {
        try await self.withServer { server in
            let id = try await server.submit(image: "slipway-test/no-such-image:\(UInt32.random(in: 0...UInt32.max))", script: ["true"])
            let job = try await server.waitForJob(id)
            #expect(job.status == "failed")
            #expect(job.failureReason == "image_not_found")
            #expect(try await server.logText(id).contains("does not exist"))
        }
    }

    @Test func cancelsPendingAndRunningJobs() async throws {
        try await self.withServer(concurrency: 1) { server in
            let running = try await server.submit(image: self.busybox, script: ["echo started", "sleep 60"])
            let pending = try await server.submit(image: self.busybox, script: ["echo never"])
            _ = try await server.waitForJob(running, timeout: .seconds(30)) { $0.status == "running" }
            #expect(try await server.job(pending).status == "pending")

            let cancelPending = try await server.request(.post, "/v1/jobs/\(pending)/cancel")
            #expect((200...202).contains(cancelPending.status))
            let canceledPending = try await server.waitForJob(pending)
            #expect(canceledPending.status == "canceled")
            #expect(canceledPending.failureReason == "canceled_by_user")
            #expect(canceledPending.fields["started_at"] is NSNull)

            // Wait until the script runs, so the cancel stops a real process.
            try await server.waitForLog(running, containing: "started\n", timeout: .seconds(30))
            let began = ContinuousClock.now
            let cancelRunning = try await server.request(.post, "/v1/jobs/\(running)/cancel")
            #expect((200...202).contains(cancelRunning.status))
            let canceled = try await server.waitForJob(running, timeout: .seconds(30))
            #expect(canceled.status == "canceled")
            #expect(ContinuousClock.now - began < .seconds(40), "stopped after its 2 s grace period, not after its 60 s sleep")
            #expect(try await ServeTestSetup.containers(of: server).isEmpty)

            let again = try await server.request(.post, "/v1/jobs/\(running)/cancel")
            #expect(again.status == 409)
        }
    }

    @Test func aJobOverItsTimeoutIsKilledAndFailsWithJobExecutionTimeout() async throws {
        try await self.withServer { server in
            let id = try await server.submit(image: self.busybox, script: ["echo working", "sleep 60"], timeout: "2s")
            let job = try await server.waitForJob(id, timeout: .seconds(30))
            #expect(job.status == "failed")
            #expect(job.failureReason == "job_execution_timeout")
            let log = try await server.logText(id)
            #expect(log.contains("working\n"))
            #expect(log.contains("timeout"))
            #expect(try await ServeTestSetup.containers(of: server).isEmpty)
        }
    }

    /// Killed with SIGKILL mid-job: on restart slipway finds the container by its labels,
    /// follows it to the end, and keeps the output written while it was down.
    @Test func afterKill9ARunningJobIsReattachedAndFinishes() async throws {
        try await self.withServer { server in
            // The job waits for a file the test creates once slipway runs again: it is still
            // running when the new process looks for it, however slow the restart.
            let id = try await server.submit(image: self.busybox, script: [
                "echo before the crash", "while [ ! -e restarted ]; do sleep 0.1; done", "echo after the crash",
            ])
            _ = try await server.waitForJob(id, timeout: .seconds(30)) { $0.status == "running" }
            try await server.waitForLog(id, containing: "before the crash\n", timeout: .seconds(30))
            await server.stop(signal: SIGKILL)
            try await server.start()
            try await server.waitForLog(id, containing: "slipway restarted; following the job again")
            #expect(FileManager.default.createFile(atPath: "\(server.dataDirectory)/workspaces/\(id)/restarted", contents: nil))
            let job = try await server.waitForJob(id, timeout: .seconds(60))
            let log = try await server.logText(id)
            #expect(job.status == "success", "log:\n\(log)")
            #expect(log.contains("before the crash\n"))
            #expect(log.contains("after the crash\n"))
            #expect(log.components(separatedBy: "\nbefore the crash\n").count == 2, "no output repeated on reattach; log:\n\(log)")
            #expect(log.components(separatedBy: "$ echo before the crash\n").count == 2, "no output repeated on reattach; log:\n\(log)")
            #expect(try await ServeTestSetup.containers(of: server).isEmpty)
        }
    }

    /// A job whose container disappeared while slipway was down is failed, with a log line
    /// saying why.
    @Test func afterKill9AJobWhoseContainerVanishedFailsWithRunnerSystemFailure() async throws {
        try await self.withServer { server in
            let id = try await server.submit(image: self.busybox, script: ["sleep 60"])
            _ = try await server.waitForJob(id, timeout: .seconds(30)) { $0.status == "running" }
            await server.stop(signal: SIGKILL)
            let docker = try await DockerTestEnvironment.client()
            for container in try await ServeTestSetup.containers(of: server) {
                try await docker.removeContainer(container.id, force: true, removeVolumes: true)
            }
            try await server.start()
            let job = try await server.waitForJob(id, timeout: .seconds(30))
            #expect(job.status == "failed")
            #expect(job.failureReason == "runner_system_failure")
            #expect(try await server.logText(id).contains("[slipway]"))
        }
    }

    @Test func twoHundredConcurrentSubmissionsAtConcurrencyFourAllFinishCorrectly() async throws {
        try await self.withServer(concurrency: 4) { server in
            let ids = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
                for index in 0..<200 {
                    group.addTask {
                        // Every fifth job fails, so states are not all the same.
                        let script = index % 5 == 0 ? ["echo job-\(index)", "exit 3"] : ["echo job-\(index)"]
                        return (index, try await server.submit(name: "job-\(index)", image: self.busybox, script: script))
                    }
                }
                var ids: [Int: Int] = [:]
                for try await (index, id) in group { ids[index] = id }
                return ids
            }
            #expect(Set(ids.values).count == 200)
            for (index, id) in ids.sorted(by: { $0.key < $1.key }) {
                let job = try await server.waitForJob(id, timeout: .seconds(300))
                #expect(job.status == (index % 5 == 0 ? "failed" : "success"), "job \(id) (#\(index))")
                let log = try await server.logText(id)
                #expect(log.contains("job-\(index)\n"), "job \(id) log: \(log)")
            }
            #expect(try await ServeTestSetup.containers(of: server).isEmpty)
        }
    }

    @Test func fiftyMegabytesOfOutputAreCutAtTheOutputLimit() async throws {
        let limit = 1 << 20
        try await self.withServer(workers: "output_limit: \(limit)") { server in
            let id = try await server.submit(image: self.busybox, script: ["head -c 52428800 /dev/zero | tr '\\0' 'x'", "echo done"])
            let job = try await server.waitForJob(id, timeout: .seconds(120))
            #expect(job.status == "success")
            let log = try await server.request(.get, "/v1/jobs/\(id)/log")
            #expect(log.body.count <= limit + 1024)
            #expect(log.body.count >= limit - 1024)
            #expect(log.text.contains("output_limit") || log.text.contains("truncat"))
        }
    }

    @Test func hostWorkerSubmissionsFromProjectsNotAllowedAre403() async throws {
        try await self.withServer(host: "allowed_projects: [\"group/trusted\"]") { server in
            let refused = try await server.request(.post, "/v1/jobs", json: SlipwayProcess.submission(name: "x", image: self.busybox, script: ["true"], worker: "host", project: "group/other"))
            #expect(refused.status == 403)
            #expect(refused.fields["Content-Type"] == "application/problem+json")
            #expect(refused.text.contains("group/other"))
            let accepted = try await server.submit(image: self.busybox, script: ["true"], project: "group/trusted")
            let job = try await server.waitForJob(accepted)
            let log = try await server.logText(accepted)
            #expect(job.status == "success", "log:\n\(log)")
        }
    }

    /// An engine that is not there at start-up: `/readyz` fails and jobs wait in `pending`;
    /// once it appears they run.
    @Test func jobsWaitPendingWhileTheEngineIsAway() async throws {
        let realHost = try DockerTestEnvironment.host()
        try #require(realHost.hasPrefix("unix://"), "this test swaps a Unix socket in; the test daemon must listen on one")
        let realSocket = String(realHost.dropFirst("unix://".count))
        let linkDirectory = "/tmp/slipway-e2e-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: linkDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: linkDirectory) }
        let link = "\(linkDirectory)/docker.sock"
        try await withSlipwayProcess(configuration: try ServeTestSetup.configuration(dockerHost: "unix://\(link)")) { server in
            let ready = try await server.request(.get, "/readyz")
            #expect(ready.status == 503)
            #expect(ready.text.contains("Docker"))
            let id = try await server.submit(image: self.busybox, script: ["echo ran"])
            // Queued in the scheduler while the engine is known to be away: nothing starts a
            // job then but the engine coming back.
            try await waitUntil("the job queued") {
                let workers = try await server.request(.get, "/v1/workers").json["workers"] as? [[String: any Sendable]] ?? []
                return workers.contains { $0["kind"] as? String == "host" && $0["pending"] as? Int == 1 }
            }
            #expect(try await server.request(.get, "/readyz").status == 503)
            #expect(try await server.job(id).status == "pending")

            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: realSocket)
            let job = try await server.waitForJob(id, timeout: .seconds(30))
            let log = try await server.logText(id)
            #expect(job.status == "success", "log:\n\(log)")
            #expect(try await server.request(.get, "/readyz").status == 200)
        }
    }
}
