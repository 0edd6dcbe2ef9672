// slipway — Threads
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif

/// A counting semaphore that parks a dedicated thread until there is work.
///
/// Only dedicated threads call ``wait()``; async callers only ever call ``signal()``, which
/// never blocks, so nothing waits on the cooperative pool.
public final class ThreadSemaphore: @unchecked Sendable {
    // @unchecked: a POSIX semaphore is safe to use from any thread (sem_overview(7)); the
    // pointer itself is immutable and freed only in deinit, when no thread can use it.
    private let semaphore: UnsafeMutablePointer<sem_t>

    public init(value: UInt32 = 0) {
        self.semaphore = .allocate(capacity: 1)
        sem_init(self.semaphore, 0, value)
    }

    deinit {
        sem_destroy(self.semaphore)
        self.semaphore.deallocate()
    }

    /// Adds one to the count, waking one waiting thread.
    public func signal() {
        sem_post(self.semaphore)
    }

    /// Blocks the calling thread until the count is positive, then takes one.
    @available(*, noasync, message: "waiting blocks the calling thread")
    public func wait() {
        // sem_wait(3): "EINTR The call was interrupted by a signal handler"; wait again.
        while sem_wait(self.semaphore) != 0 && errno == EINTR {}
    }
}
