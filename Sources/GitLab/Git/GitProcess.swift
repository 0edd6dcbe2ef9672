// slipway — GitLab
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import CSystem
import Synchronization

/// Runs one `git` command with `posix_spawn` and waits for it on a thread of its own, so
/// neither the wait nor the pipe reads ever block Swift's cooperative pool (two threads on
/// these machines). The child gets a process group of its own, so a timeout or a cancelled
/// task kills git together with the helpers it started (`git-remote-https`, `upload-pack`).
enum GitProcess {
    struct Output: Sendable {
        var status: Int32
        var stdout: [UInt8]
        var stderr: [UInt8]
        var timedOut: Bool
    }

    /// Bytes kept of each stream; git's useful output (a sha, a message, an error) is small.
    static let outputLimit = 1 << 20

    /// Runs `executable` (looked up on `PATH` when relative) with `arguments` and exactly
    /// `environment`, killing it after `timeout` or when the calling task is cancelled.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String], timeout: Duration) async throws -> Output {
        let control = Control()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Output, any Error>) in
                let job = SpawnJob(executable: executable, arguments: arguments, environment: environment, timeout: timeout, control: control) {
                    continuation.resume(with: $0)
                }
                Self.detach(job)
            }
        } onCancel: {
            control.cancel()
        }
    }

    /// Shared between the waiting thread and the cancellation handler.
    final class Control: Sendable {
        private let state = Mutex<(pid: pid_t?, cancelled: Bool)>((nil, false))

        func started(_ pid: pid_t) -> Bool {
            self.state.withLock { state in
                state.pid = pid
                return !state.cancelled
            }
        }

        func finished() { self.state.withLock { $0.pid = nil } }

        var isCancelled: Bool { self.state.withLock { $0.cancelled } }

        func cancel() {
            self.state.withLock { state in
                state.cancelled = true
                // The group is ours: the child was spawned with POSIX_SPAWN_SETPGROUP.
                if let pid = state.pid { kill(-pid, SIGKILL) }
            }
        }
    }

    private struct SpawnJob: @unchecked Sendable {
        // @unchecked: handed to one thread, never shared.
        var executable: String
        var arguments: [String]
        var environment: [String: String]
        var timeout: Duration
        var control: Control
        var completion: (Result<Output, any Error>) -> Void
    }

    private static func detach(_ job: SpawnJob) {
        final class Box {
            let job: SpawnJob
            init(_ job: SpawnJob) { self.job = job }
        }
        let box = Unmanaged.passRetained(Box(job))
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { argument in
            let job = Unmanaged<Box>.fromOpaque(argument!).takeRetainedValue().job
            job.completion(Result { try GitProcess.runBlocking(job) })
            return nil
        }, box.toOpaque())
        guard result == 0 else {
            box.release()
            job.completion(.failure(GitLabError(.gitFailed, "could not start a thread for git (pthread_create: \(result))")))
            return
        }
        pthread_detach(thread)
    }

    // MARK: - The blocking part

    private static func runBlocking(_ job: SpawnJob) throws -> Output {
        var stdoutPipe: [Int32] = [-1, -1]
        var stderrPipe: [Int32] = [-1, -1]
        guard csystem_pipe2(&stdoutPipe, O_CLOEXEC) == 0 else { throw Self.systemError("pipe2") }
        guard csystem_pipe2(&stderrPipe, O_CLOEXEC) == 0 else {
            close(stdoutPipe[0]); close(stdoutPipe[1])
            throw Self.systemError("pipe2")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, stdoutPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, stderrPipe[1], 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        // The server ignores SIGPIPE; git must get the default back, or a closed pipe turns
        // into confusing EPIPE errors instead of a quiet exit.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([job.executable] + job.arguments).map { strdup($0) } + [nil]
        let envp = job.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid = pid_t()
        // posix_spawnp searches this process's PATH for a relative executable name.
        let spawnResult = posix_spawnp(&pid, job.executable, &actions, &attributes, argv, envp)
        close(stdoutPipe[1])
        close(stderrPipe[1])
        guard spawnResult == 0 else {
            close(stdoutPipe[0]); close(stderrPipe[0])
            throw GitLabError(.gitFailed, "could not run \(job.executable): \(String(cString: strerror(spawnResult))); install git (apt-get install git)")
        }
        if !job.control.started(pid) { kill(-pid, SIGKILL) }

        var output = Output(status: -1, stdout: [], stderr: [], timedOut: false)
        let deadline = Self.now() + Self.nanoseconds(job.timeout)
        var open = [stdoutPipe[0], stderrPipe[0]]
        var buffer = [UInt8](repeating: 0, count: 65536)
        var killed = false
        while !open.isEmpty {
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let remaining = deadline - Self.now()
            if remaining <= 0 && !killed {
                kill(-pid, SIGKILL)
                killed = true
                output.timedOut = true
            }
            // Short slices once killed, so a grandchild holding the pipe cannot hang us.
            let sliceMilliseconds = killed ? 100 : Int32(max(1, min(remaining / 1_000_000, 200)))
            let ready = poll(&fds, nfds_t(fds.count), sliceMilliseconds)
            if ready < 0 && errno != EINTR { break }
            if killed && ready == 0 { break }
            if job.control.isCancelled && !killed {
                kill(-pid, SIGKILL)
                killed = true
            }
            for entry in fds where entry.revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    if entry.fd == stdoutPipe[0] {
                        if output.stdout.count < Self.outputLimit { output.stdout += buffer[0..<count] }
                    } else if output.stderr.count < Self.outputLimit {
                        output.stderr += buffer[0..<count]
                    }
                } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                    close(entry.fd)
                    open.removeAll { $0 == entry.fd }
                }
            }
        }
        for fd in open { close(fd) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        job.control.finished()
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import (they are macros).
        let signal = status & 0x7f
        output.status = signal == 0 ? (status >> 8) & 0xff : 128 + signal
        if job.control.isCancelled { throw CancellationError() }
        return output
    }

    private static func now() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    private static func systemError(_ call: String) -> GitLabError {
        GitLabError(.gitFailed, "\(call) failed: \(String(cString: strerror(errno)))")
    }
}
