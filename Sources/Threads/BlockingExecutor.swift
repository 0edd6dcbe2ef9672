// slipway — Threads
// SPDX-License-Identifier: Apache-2.0

import Synchronization

/// A thread of its own that runs blocking work (file writes, `fsync`, cold page-cache reads)
/// in submission order, so none of it stalls Swift's cooperative pool.
///
/// The thread ends once the executor is released (or ``stop()``ped) and the work queued
/// before has run.
public final class BlockingExecutor: Sendable {
    /// What the thread shares with the executor; the thread holds only this, so releasing the
    /// executor is what ends it.
    private final class Queue: Sendable {
        let state = Mutex<(work: [@Sendable () -> Void], stopped: Bool)>(([], false))
        let wakeup = ThreadSemaphore()

        func submit(_ work: @escaping @Sendable () -> Void) {
            self.state.withLock { $0.work.append(work) }
            self.wakeup.signal()
        }

        func stop() {
            self.state.withLock { $0.stopped = true }
            self.wakeup.signal()
        }

        func drain() {
            while true {
                self.wakeup.wait()
                let (work, stopped) = self.state.withLock { state -> ([@Sendable () -> Void], Bool) in
                    let taken = state.work
                    state.work.removeAll()
                    return (taken, state.stopped)
                }
                for item in work { item() }
                if stopped && work.isEmpty { return }
            }
        }
    }

    private let queue = Queue()

    /// Starts the executor's thread, named `name`.
    public init(name: String) {
        let queue = self.queue
        NamedThread.detach(name: name) { queue.drain() }
    }

    deinit {
        self.queue.stop()
    }

    /// Runs `body` on the executor's thread and returns its result.
    public func run<T: Sendable, E: Error>(_ body: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
        let result: Result<T, E> = await withCheckedContinuation { continuation in
            self.queue.submit {
                do throws(E) {
                    continuation.resume(returning: .success(try body()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }

    /// Queues `work` without waiting for it.
    public func submit(_ work: @escaping @Sendable () -> Void) {
        self.queue.submit(work)
    }

    /// Finishes the work already queued, then ends the thread.
    public func stop() {
        self.queue.stop()
    }
}
