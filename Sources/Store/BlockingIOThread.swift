// slipway — Store
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A dedicated thread for blocking file I/O (log appends and reads), so that `write(2)`,
/// `fsync` or a cold page-cache read never stall Swift's cooperative pool. Work runs in
/// submission order.
final class BlockingIOThread: @unchecked Sendable {
    // @unchecked: `wakeup` is a POSIX semaphore, safe to post and wait from any thread; the
    // queue is guarded by its Mutex.
    private let queue = Mutex<(work: [@Sendable () -> Void], stopped: Bool)>(([], false))
    private let wakeup = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)

    init(name: String) {
        sem_init(self.wakeup, 0, 0)
        final class Box: @unchecked Sendable {
            // @unchecked: handed to the new thread once, never shared.
            let thread: BlockingIOThread
            let name: String
            init(_ thread: BlockingIOThread, _ name: String) { self.thread = thread; self.name = name }
        }
        let box = Unmanaged.passRetained(Box(self, name))
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { argument in
            let box = Unmanaged<Box>.fromOpaque(argument!).takeRetainedValue()
            box.thread.run()
            return nil
        }, box.toOpaque())
        precondition(result == 0, "pthread_create failed: \(result)")
        pthread_detach(thread)
    }

    /// Runs `body` on the I/O thread and returns its result.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            self.submit { continuation.resume(with: Result { try body() }) }
        }
    }

    private func submit(_ work: @escaping @Sendable () -> Void) {
        self.queue.withLock { $0.work.append(work) }
        sem_post(self.wakeup)
    }

    /// Finishes queued work, then ends the thread.
    func stop() {
        self.queue.withLock { $0.stopped = true }
        sem_post(self.wakeup)
    }

    private func run() {
        while true {
            while sem_wait(self.wakeup) != 0 {}
            let (work, stopped) = self.queue.withLock { state -> ([@Sendable () -> Void], Bool) in
                let taken = state.work
                state.work.removeAll()
                return (taken, state.stopped)
            }
            for item in work { item() }
            if stopped && work.isEmpty { return }
        }
    }
}
