// slipway — Application
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import Sockets
import Threads

/// The write end of the self-pipe the signal handler writes to; set once, before the handler
/// is installed.
nonisolated(unsafe) private var signalPipeWrite: CInt = -1

/// Waits for SIGTERM or SIGINT.
///
/// The handler does the one async-signal-safe thing, writing the signal number to a pipe; a
/// dedicated thread reads it and resumes the waiting task. Whichever thread the kernel picks to
/// deliver the signal, nothing else runs in signal context, and nothing blocks the cooperative
/// pool.
public enum SignalWaiter {
    /// Ignores SIGPIPE for the whole process: a write to a closed socket must fail with EPIPE,
    /// not kill slipway.
    public static func ignoreBrokenPipes() {
        signal(SIGPIPE, SIG_IGN)
    }

    /// Suspends until SIGTERM or SIGINT arrives; returns the signal number.
    public static func waitForTermination() async -> CInt {
        var fds: [CInt] = [-1, -1]
        guard pipe(&fds) == 0 else { fatalError("pipe() failed: \(errno)") }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        signalPipeWrite = fds[1]
        let readEnd = fds[0]
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { number in
            var byte = UInt8(truncatingIfNeeded: number)
            _ = write(signalPipeWrite, &byte, 1)
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        sigaction(SIGTERM, &action, nil)
        sigaction(SIGINT, &action, nil)
        return await withCheckedContinuation { (continuation: CheckedContinuation<CInt, Never>) in
            NamedThread.detach(name: "signal-wait") {
                var byte: UInt8 = 0
                while read(readEnd, &byte, 1) < 0 && errno == EINTR {}
                continuation.resume(returning: CInt(byte))
            }
        }
    }
}
