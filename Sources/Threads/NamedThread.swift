// slipway — Threads
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import CSystem

/// The one way slipway starts a thread: for work that blocks (`epoll_wait`, `sqlite3_step`,
/// `waitpid`, a blocking `read`) and so must never run on Swift's cooperative pool, which has
/// one thread per core — two on our machines.
///
/// Every thread has a name (at most 15 bytes are kept) that `top -H`, `ps -L` and debuggers show.
public struct NamedThread: Sendable {
    public let name: String
    private let handle: pthread_t

    /// Starts a joinable thread running `body`; call ``join()`` exactly once.
    public static func start(name: String, _ body: @escaping @Sendable () -> Void) -> NamedThread {
        NamedThread(name: name, handle: Self.create(name: name, body))
    }

    /// Starts a thread running `body` that nobody joins: its resources are freed when it ends.
    public static func detach(name: String, _ body: @escaping @Sendable () -> Void) {
        pthread_detach(Self.create(name: name, body))
    }

    /// Runs `body` on a new thread and returns its result: blocking work reached from async
    /// code (set-up at start-up, joining other threads, a name lookup).
    public static func run<T: Sendable>(name: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Self.detach(name: name) { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Blocks until the thread has ended.
    @available(*, noasync, message: "joining blocks the calling thread; use NamedThread.run to join from async code")
    public func join() {
        pthread_join(self.handle, nil)
    }

    /// Whether the calling thread is this one.
    public var isCurrent: Bool { pthread_equal(self.handle, pthread_self()) != 0 }

    private static func create(name: String, _ body: @escaping @Sendable () -> Void) -> pthread_t {
        final class Start {
            let name: String
            let body: @Sendable () -> Void
            init(name: String, body: @escaping @Sendable () -> Void) {
                self.name = name
                self.body = body
            }
        }
        let start = Unmanaged.passRetained(Start(name: name, body: body)).toOpaque()
        var handle = pthread_t()
        let result = pthread_create(&handle, nil, { argument in
            let start = Unmanaged<Start>.fromOpaque(argument!).takeRetainedValue()
            csystem_set_thread_name(String(start.name.utf8.prefix(15)) ?? "slipway")
            start.body()
            return nil
        }, start)
        // pthread_create fails only for lack of resources (EAGAIN) or bad attributes; slipway
        // cannot do its work without the threads it asks for.
        precondition(result == 0, "pthread_create failed for thread \(name): \(result)")
        return handle
    }
}
