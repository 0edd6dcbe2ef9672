// slipway — Sockets tests
// SPDX-License-Identifier: Apache-2.0

import Sockets
import Synchronization
import TestSupport
import Testing

@Suite("event loop")
struct EventLoopTests {
    @Test func runsSubmittedTasksOnItsThread() async {
        let loop = sharedTestGroup.next()
        let onLoop = await withCheckedContinuation { continuation in
            loop.execute { continuation.resume(returning: loop.inEventLoop) }
        }
        #expect(onLoop)
        #expect(!loop.inEventLoop)
    }

    @Test func firesTimersInDeadlineOrderAndSkipsCancelledOnes() async {
        let loop = sharedTestGroup.next()
        final class Fired: Sendable { let order = Mutex<[Int]>([]) }
        let fired = Fired()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            loop.execute {
                loop.schedule(after: .milliseconds(60)) { fired.order.withLock { $0.append(3) } }
                loop.schedule(after: .milliseconds(20)) { fired.order.withLock { $0.append(1) } }
                let cancelled = loop.schedule(after: .milliseconds(30)) { fired.order.withLock { $0.append(99) } }
                loop.schedule(after: .milliseconds(40)) { fired.order.withLock { $0.append(2) } }
                cancelled.cancel()
                loop.schedule(after: .milliseconds(100)) { continuation.resume() }
            }
        }
        #expect(fired.order.withLock { $0 } == [1, 2, 3])
    }

    @Test func timersAreNotEarly() async {
        let loop = sharedTestGroup.next()
        let started = ContinuousClock.now
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            loop.execute { loop.schedule(after: .milliseconds(50)) { continuation.resume() } }
        }
        #expect(ContinuousClock.now - started >= .milliseconds(50))
    }

    @Test func manyTasksFromManyThreadsAllRun() async {
        let loop = sharedTestGroup.next()
        final class Counter: Sendable { let value = Atomic<Int>(0) }
        let count = Counter()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    for _ in 0..<1000 { loop.execute { count.value.add(1, ordering: .relaxed) } }
                }
            }
        }
        await withCheckedContinuation { continuation in loop.execute { continuation.resume() } }
        #expect(count.value.load(ordering: .relaxed) == 8000)
    }

    /// The default loop count follows the CPUs this process may run on, which the kernel also
    /// reports as Cpus_allowed_list ("0-1", "0,2-3").
    @Test func usableProcessorsAreTheAffinityMask() throws {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("Cpus_allowed_list:") })
        let list = line.dropFirst("Cpus_allowed_list:".count).trimmingCharacters(in: .whitespaces)
        var expected = 0
        for range in list.split(separator: ",") {
            let bounds = range.split(separator: "-").compactMap { Int($0) }
            expected += bounds.count == 2 ? bounds[1] - bounds[0] + 1 : 1
        }
        #expect(EventLoopGroup.usableProcessorCount == expected)
    }
}
