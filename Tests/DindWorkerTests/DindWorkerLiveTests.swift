// slipway — dind worker tests
// SPDX-License-Identifier: Apache-2.0

import Application
import Docker
import Foundation
import Jobs
import Testing
import TestSupport

/// The dind worker against the real private test daemon, through a real ``SlipwayApplication``
/// (scheduler, SQLite store, log files, reconciliation). Serialized: each test starts real
/// daemons and the machine has two cores.
@Suite("dind worker (live)", .serialized, .disabled(if: DockerTestEnvironment.isSkipped, DockerTestEnvironment.skipComment))
struct DindWorkerLiveTests {
    @Test("docker build and docker run inside a dind job leave no image or container on the host daemon")
    func buildAndRunLeaveNoTrace() async throws {
        try await Harness.with("build") { harness in
            let tag = "slipway-dind-probe-\(UInt32.random(in: 0...UInt32.max)):1"
            let container = "probe-\(UInt32.random(in: 0...UInt32.max))"
            let (job, log) = try await harness.run(BuildScript.image(tag, steps: [#"RUN ["/bin/busybox", "sh", "-c", "echo built-inside > /marker"]"#]) + [
                "docker run --name \(container) --network none \(tag) /bin/busybox cat /marker",
                "docker ps -a --format 'inner container: {{.Names}}'",
            ])
            #expect(job.status == .success, "\(log)")
            #expect(log.contains("started Docker daemon"))
            #expect(log.contains("\nbuilt-inside\n"))
            #expect(log.contains("inner container: \(container)"))
            // The host daemon never saw the image or the container.
            #expect(try await harness.docker.imageExists(tag) == false)
            #expect(try await harness.docker.listContainers(all: true, filters: DockerFilters(["name": [container]])).isEmpty)
            let left = try await harness.leftoversAfterTeardown()
            #expect(left.isEmpty, "left behind: \(left)")
            #expect(harness.socketDirectories() == [])
        }
    }

    @Test("two dind jobs run at once, each seeing only its own images")
    func twoJobsAreIsolated() async throws {
        try await Harness.with("pair") { harness in
            func script(_ mine: String) -> [String] {
                BuildScript.image("\(mine):1") + [
                    // Both jobs are running (and have built) by the time either lists its images.
                    "sleep 3",
                    "docker images --format 'image: {{.Repository}}'",
                ]
            }
            let a = try await harness.submit(script("only-a"))
            let b = try await harness.submit(script("only-b"))
            let doneA = try await harness.finished(a.id)
            let doneB = try await harness.finished(b.id)
            let logA = try await harness.log(a.id)
            let logB = try await harness.log(b.id)
            #expect(doneA.status == .success, "\(logA)")
            #expect(doneB.status == .success, "\(logB)")
            // They overlapped in time.
            if let startedB = doneB.startedAt, let finishedA = doneA.finishedAt, let startedA = doneA.startedAt, let finishedB = doneB.finishedAt {
                #expect(startedB < finishedA && startedA < finishedB)
            }
            #expect(logA.contains("image: only-a") && !logA.contains("image: only-b"), "\(logA)")
            #expect(logB.contains("image: only-b") && !logB.contains("image: only-a"), "\(logB)")
            let left = try await harness.leftoversAfterTeardown()
            #expect(left.isEmpty, "left behind: \(left)")
        }
    }

    @Test("docker run -v \"$PWD:/src\" inside a dind job reads the job's workspace")
    func workspaceAtTheSamePath() async throws {
        try await Harness.with("workspace") { harness in
            let (job, log) = try await harness.run(BuildScript.image("reader:1") + [
                "echo 'written by the job' > note.txt",
                #"docker run --rm --network none -v "$PWD:/src" reader:1 /bin/busybox cat /src/note.txt"#,
                #"docker run --rm --network none -v "$PWD:/src" reader:1 /bin/busybox sh -c 'echo written by the inner container > /src/back.txt'"#,
                "cat back.txt",
            ])
            #expect(job.status == .success, "\(log)")
            #expect(log.contains("\nwritten by the job\n"), "\(log)")
            #expect(log.contains("\nwritten by the inner container\n"), "\(log)")
        }
    }

    @Test("a daemon that fails to start fails the job with runner_system_failure and the daemon's own words")
    func daemonThatFailsToStart() async throws {
        let arguments = "[" + (DockerTestEnvironment.daemonArguments + ["--no-such-dockerd-flag"]).map { "\"\($0)\"" }.joined(separator: ", ") + "]"
        try await Harness.with("broken", dind: ["daemon_args": arguments]) { harness in
            let (job, log) = try await harness.run(["echo this must not run"])
            #expect(job.status == .failed)
            #expect(job.failureReason == .runnerSystemFailure)
            #expect(log.contains("attempt 1") && log.contains("attempt 2"), "\(log)")
            #expect(log.contains("no-such-dockerd-flag"), "the daemon's last lines are in the job log: \(log)")
            #expect(!log.contains("$ echo this must not run"))
            let left = try await harness.leftoversAfterTeardown()
            #expect(left.isEmpty, "left behind: \(left)")
            #expect(harness.socketDirectories() == [])
        }
    }

    @Test("canceling a running dind job removes its daemon and the daemon's volume")
    func cancelRemovesTheDaemon() async throws {
        try await Harness.with("cancel") { harness in
            let job = try await harness.submit(["echo job-is-running", "sleep 120"])
            try await harness.wait(for: job.id) { job, log in job.status == .running && log.contains("\njob-is-running\n") }
            // While it runs: one daemon, its data volume, the job container.
            let during = try await harness.leftovers()
            #expect(during.filter { $0.hasPrefix("container") }.count == 2, "\(during)")
            #expect(during.filter { $0.hasPrefix("volume") }.count == 1, "\(during)")
            try await harness.application.scheduler.cancel(job.id)
            let done = try await harness.finished(job.id, within: .seconds(60))
            #expect(done.status == .canceled)
            let left = try await harness.leftoversAfterTeardown()
            #expect(left.isEmpty, "left behind: \(left)")
            #expect(harness.socketDirectories() == [])
        }
    }

    @Test("a dind job that times out is stopped and its daemon and volume removed")
    func timeoutRemovesTheDaemon() async throws {
        try await Harness.with("timeout") { harness in
            let (job, log) = try await harness.run(["echo waiting", "sleep 120"], timeout: .seconds(4))
            #expect(job.status == .failed)
            #expect(job.failureReason == .jobExecutionTimeout, "\(log)")
            let left = try await harness.leftoversAfterTeardown()
            #expect(left.isEmpty, "left behind: \(left)")
            #expect(harness.socketDirectories() == [])
        }
    }

    @Test("with the per-project cache a rebuild comes from cache; another project does not see it")
    func perProjectLayerCache() async throws {
        try await Harness.with("cache", dind: ["cache": "per-project"]) { harness in
            let steps = [
                #"RUN ["/bin/busybox", "sh", "-c", "echo step one > /one"]"#,
                #"RUN ["/bin/busybox", "sh", "-c", "echo step two > /two"]"#,
            ]
            let script = BuildScript.image("cached:1", steps: steps)
            let first = try await harness.run(script, project: "group/alpha")
            #expect(first.job.status == .success, "\(first.log)")
            #expect(!first.log.contains("Using cache"), "\(first.log)")
            let second = try await harness.run(script, project: "group/alpha")
            #expect(second.job.status == .success, "\(second.log)")
            #expect(second.log.components(separatedBy: "Using cache").count - 1 >= 3, "every step after FROM comes from cache: \(second.log)")
            let other = try await harness.run(script, project: "group/beta")
            #expect(other.job.status == .success, "\(other.log)")
            #expect(!other.log.contains("Using cache"), "\(other.log)")
            // Daemons and their data volumes are gone; the two projects' caches stay.
            let left = try await harness.leftoversAfterTeardown()
            #expect(left.isEmpty, "left behind: \(left)")
            let caches = try await harness.leftovers(includingCaches: true)
            #expect(caches.count == 2, "\(caches)")
            #expect(await harness.worker.layerCache.leasedVolumes().isEmpty)
        }
    }

    @Test("two jobs of one project that both want the cache: the later one runs without it")
    func concurrentJobsOfOneProject() async throws {
        try await Harness.with("cache-busy", dind: ["cache": "per-project"]) { harness in
            let a = try await harness.submit(["sleep 3"], project: "group/alpha")
            try await harness.wait(for: a.id) { job, _ in job.status == .running }
            let (b, logB) = try await harness.run(["docker info --format '{{.Images}} images'"], project: "group/alpha")
            #expect(b.status == .success, "\(logB)")
            #expect(logB.contains("in use by another of its jobs"), "\(logB)")
            #expect(logB.contains("without a layer cache"), "\(logB)")
            let doneA = try await harness.finished(a.id)
            let logA = try await harness.log(a.id)
            #expect(doneA.status == .success, "\(logA)")
            #expect(logA.contains("on layer cache slipway-cache-"), "\(logA)")
        }
    }

    @Test("the warm pool hands a ready daemon to a job, never reuses it, and refills")
    func warmPoolRefills() async throws {
        try await Harness.with("warm", dind: ["warm": "1"]) { harness in
            let pool = harness.worker.warmPool
            let full = await pool.waitUntilFull(timeout: .seconds(60))
            let snapshot = await pool.snapshot()
            #expect(full, "\(snapshot)")
            let before = await pool.snapshot().ready
            #expect(before.count == 1)
            let (job, log) = try await harness.run(BuildScript.image("warm:1") + [
                "echo from-the-workspace > w.txt",
                #"docker run --rm --network none -v "$PWD:/src" warm:1 /bin/busybox cat /src/w.txt"#,
            ])
            #expect(job.status == .success, "\(log)")
            #expect(log.contains("using warm Docker daemon \(before[0])"), "\(log)")
            #expect(log.contains("\nfrom-the-workspace\n"), "\(log)")
            #expect(await pool.waitUntilFull(timeout: .seconds(60)))
            let after = await pool.snapshot().ready
            #expect(after.count == 1 && after != before, "a fresh daemon replaced the used one: \(after) vs \(before)")
            // The used daemon is gone; only the new warm one (container and volume) remains.
            let remaining = try await harness.leftoversAfterTeardownExcept(daemon: after[0])
            #expect(remaining == [], "\(remaining)")
        }
    }
}

extension Harness {
    /// Leftovers other than the named (warm) daemon and its volume.
    func leftoversAfterTeardownExcept(daemon: String) async throws -> [String] {
        var found: [String] = []
        _ = try await eventually(timeout: .seconds(120), interval: .milliseconds(100)) {
            found = try await self.leftovers().filter { !$0.contains("slipway.daemon\": \"\(daemon)\"") }
            return found.isEmpty
        }
        return found
    }
}
