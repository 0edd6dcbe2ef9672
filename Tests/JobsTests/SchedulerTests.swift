// slipway — Jobs tests
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import Jobs
import Testing
import TestSupport

@Suite("scheduler")
struct SchedulerTests {
    struct Fixture {
        let store = InMemoryJobStore()
        let logs = InMemoryLogStore()
        let worker = GatedWorker(kind: .host)
        let scheduler: Scheduler

        init(concurrency: Int = 2, perProjectLimit: Int? = nil, engineAvailable: Bool = true) {
            self.scheduler = Scheduler(store: self.store, logs: self.logs, pools: [.host: .init(worker: self.worker, concurrency: concurrency)],
                                       perProjectLimit: perProjectLimit, engineAvailable: engineAvailable)
        }

        func submit(_ name: String, project: String? = nil, timeout: Duration = .seconds(3600)) async throws -> Job {
            let job = try await self.store.insert(
                JobSpecification(name: name, image: "busybox", script: ["true"], worker: .host, timeout: timeout, project: project),
                status: .pending, at: Date()
            )
            await self.scheduler.submit(job)
            return job
        }

        func status(_ job: Job) async throws -> JobStatus? { try await self.store.job(job.id)?.status }
    }

    @Test func startsJobsInOrderUpToTheConcurrency() async throws {
        let fixture = Fixture(concurrency: 2)
        let jobs = try await (0..<5).asyncMap { try await fixture.submit("job \($0)") }
        #expect(try await eventually { fixture.worker.running.count == 2 })
        #expect(fixture.worker.started == [jobs[0].id, jobs[1].id])
        #expect(try await fixture.status(jobs[2]) == .pending)
        fixture.worker.finish(jobs[0].id, with: .succeeded)
        #expect(try await eventually { fixture.worker.started.count == 3 })
        #expect(fixture.worker.started[2] == jobs[2].id)
        #expect(try await fixture.status(jobs[0]) == .success)
        for job in jobs { fixture.worker.finish(job.id, with: .failed(.scriptFailure, exitCode: 2)) }
        await fixture.scheduler.waitUntilIdle()
        #expect(fixture.worker.started == jobs.map(\.id))
        #expect(try await fixture.store.job(jobs[4].id)?.exitCode == 2)
        #expect(fixture.logs.text(jobs[4].id).contains("exit code 2"))
    }

    /// The API and the reconciler can both hand over a job submitted while the engine was
    /// away; it must run once.
    @Test func aJobHandedOverTwiceRunsOnce() async throws {
        let fixture = Fixture(concurrency: 1)
        let first = try await fixture.submit("first")
        let second = try await fixture.submit("second")
        await fixture.scheduler.submit(first)
        await fixture.scheduler.submit(second)
        #expect(try await eventually { fixture.worker.running == [first.id] })
        await fixture.scheduler.submit(first)
        fixture.worker.finish(first.id, with: .succeeded)
        #expect(try await eventually { fixture.worker.running == [second.id] })
        fixture.worker.finish(second.id, with: .succeeded)
        await fixture.scheduler.waitUntilIdle()
        #expect(fixture.worker.started == [first.id, second.id])
    }

    @Test("a job handed over twice (submitted, then requeued by start-up reconciliation) runs once")
    func queuesAJobOnce() async throws {
        let fixture = Fixture(concurrency: 2)
        await fixture.scheduler.setEngineAvailable(false)
        let job = try await fixture.submit("early")
        await fixture.scheduler.submit(job)
        await fixture.scheduler.setEngineAvailable(true)
        #expect(try await eventually { fixture.worker.running.count == 1 })
        await fixture.scheduler.submit(job)
        fixture.worker.finish(job.id, with: .succeeded)
        await fixture.scheduler.waitUntilIdle()
        #expect(fixture.worker.started == [job.id])
    }

    /// A server's scheduler starts nothing before the engine answered and start-up
    /// reconciliation ran: reconciliation removes the containers and workspaces of jobs it does
    /// not know to be running, which a job started meanwhile would be.
    @Test func startsNothingBeforeTheEngineIsKnownToAnswer() async throws {
        let fixture = Fixture(engineAvailable: false)
        let job = try await fixture.submit("early")
        // Queued, not launched: no worker task exists that could start it.
        #expect(await fixture.scheduler.snapshot() == [.init(kind: .host, concurrency: 2, busy: 0, pending: 1)])
        #expect(fixture.worker.started.isEmpty)
        await fixture.scheduler.setEngineAvailable(true)
        #expect(try await eventually { fixture.worker.started == [job.id] })
        fixture.worker.finish(job.id, with: .succeeded)
        await fixture.scheduler.waitUntilIdle()
    }

    @Test func respectsThePerProjectLimit() async throws {
        let fixture = Fixture(concurrency: 3, perProjectLimit: 1)
        let a1 = try await fixture.submit("a1", project: "a")
        let a2 = try await fixture.submit("a2", project: "a")
        let b1 = try await fixture.submit("b1", project: "b")
        #expect(try await eventually { fixture.worker.running.count == 2 })
        #expect(Set(fixture.worker.running) == [a1.id, b1.id])
        fixture.worker.finish(a1.id, with: .succeeded)
        #expect(try await eventually { fixture.worker.running.contains(a2.id) })
        fixture.worker.finish(a2.id, with: .succeeded)
        fixture.worker.finish(b1.id, with: .succeeded)
        await fixture.scheduler.waitUntilIdle()
    }

    @Test func cancelsPendingAndRunningJobs() async throws {
        let fixture = Fixture(concurrency: 1)
        let running = try await fixture.submit("running")
        let pending = try await fixture.submit("pending")
        #expect(try await eventually { fixture.worker.running == [running.id] })
        let canceledPending = try await fixture.scheduler.cancel(pending.id)
        #expect(canceledPending.status == .canceled)
        #expect(canceledPending.failureReason == .canceledByUser)
        try await fixture.scheduler.cancel(running.id)
        await fixture.scheduler.waitUntilIdle()
        #expect(try await fixture.status(running) == .canceled)
        #expect(fixture.worker.started == [running.id])
        await #expect(throws: IllegalTransition.self) { try await fixture.scheduler.cancel(running.id) }
    }

    @Test func failsJobsThatExceedTheirTimeout() async throws {
        let fixture = Fixture()
        let job = try await fixture.submit("slow", timeout: .milliseconds(100))
        await fixture.scheduler.waitUntilIdle()
        let finished = try #require(try await fixture.store.job(job.id))
        #expect(finished.status == .failed)
        #expect(finished.failureReason == .jobExecutionTimeout)
        #expect(fixture.logs.text(job.id).contains("exceeded its timeout"))
    }

    @Test func holdsJobsWhileTheEngineIsAwayAndRequeuesThem() async throws {
        let fixture = Fixture(concurrency: 1)
        await fixture.scheduler.setEngineAvailable(false)
        let job = try await fixture.submit("waits")
        #expect(await fixture.scheduler.snapshot() == [.init(kind: .host, concurrency: 1, busy: 0, pending: 1)])
        #expect(fixture.worker.started.isEmpty)
        #expect(try await fixture.status(job) == .pending)
        await fixture.scheduler.setEngineAvailable(true)
        #expect(try await eventually { fixture.worker.started == [job.id] })
        // The engine vanishes before the container starts: back to the queue, not failed.
        fixture.worker.finish(job.id, with: .requeue("connection refused"))
        #expect(try await eventually { await fixture.scheduler.engineAvailable == false })
        #expect(try await fixture.status(job) == .pending)
        await fixture.scheduler.setEngineAvailable(true)
        #expect(try await eventually { fixture.worker.started.count == 2 })
        fixture.worker.finish(job.id, with: .succeeded)
        await fixture.scheduler.waitUntilIdle()
        #expect(try await fixture.status(job) == .success)
    }

    @Test func reportsPoolSnapshots() async throws {
        let fixture = Fixture(concurrency: 1)
        let first = try await fixture.submit("one")
        let second = try await fixture.submit("two")
        #expect(try await eventually { fixture.worker.running.count == 1 })
        #expect(await fixture.scheduler.snapshot() == [.init(kind: .host, concurrency: 1, busy: 1, pending: 1)])
        fixture.worker.finish(first.id, with: .succeeded)
        fixture.worker.finish(second.id, with: .succeeded)
        await fixture.scheduler.waitUntilIdle()
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
