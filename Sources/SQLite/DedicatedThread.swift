// slipway — SQLite
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif

/// Starts POSIX threads for blocking SQLite work, outside Swift's cooperative pool.
///
/// The pool has one thread per core (two on our machines); `sqlite3_step` waiting for an
/// `fsync` or a busy lock would stall half the process (DESIGN.md, "Concurrency on a 2-core
/// machine"). Database threads block freely and hand results back through continuations.
enum DedicatedThread {
    /// Starts a detached thread named `name` (at most 15 bytes are kept) running `body`.
    static func start(name: String, _ body: @escaping @Sendable () -> Void) {
        final class Context {
            let name: String
            let body: @Sendable () -> Void
            init(name: String, body: @escaping @Sendable () -> Void) {
                self.name = name
                self.body = body
            }
        }
        let context = Unmanaged.passRetained(Context(name: name, body: body)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(
            &thread, nil,
            { argument in
                let context = Unmanaged<Context>.fromOpaque(argument!).takeRetainedValue()
                DedicatedThread.setCurrentThreadName(context.name)
                context.body()
                return nil
            }, context)
        // pthread_create fails only with EAGAIN (no resources for a thread) or invalid
        // attributes; slipway cannot run without its database threads.
        precondition(result == 0, "pthread_create failed: \(result)")
        pthread_detach(thread)
    }

    /// Names the calling thread for `top -H`, `ps -L` and debuggers.
    ///
    /// `pthread_setname_np` needs `_GNU_SOURCE`, which Glibc's module does not define, and
    /// `prctl` is variadic; proc(5) offers the same through `/proc/thread-self/comm`. Linux keeps
    /// at most 15 bytes. Best effort: a thread without a name works the same.
    private static func setCurrentThreadName(_ name: String) {
        let descriptor = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    }
}
