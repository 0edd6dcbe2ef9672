// slipway — Processes
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import CSystem
import SystemCalls
import Synchronization
import Threads

/// A running child process, supervised by a thread of its own.
///
/// That thread starts the child (so `PR_SET_PDEATHSIG` ties the child's life to a thread that
/// outlives it), moves bytes between the child's pipes and memory, enforces the timeout and
/// reaps it; async callers only ever await the outcome. Neither `waitpid` nor a pipe read ever
/// runs on Swift's cooperative pool.
public final class ChildProcess: Sendable {
    /// The child's process id; also its process group's id.
    public let pid: pid_t
    private let state: Mutex<State>

    private struct State {
        var outcome: ChildProcessOutcome?
        var waiters: [CheckedContinuation<ChildProcessOutcome, Never>] = []
    }

    private init(pid: pid_t) {
        self.pid = pid
        self.state = Mutex(State())
    }

    /// Starts `configuration` and returns once the child runs (its `execve` succeeded).
    public static func start(_ configuration: ChildProcessConfiguration) async throws(ChildProcessError) -> ChildProcess {
        let path = try Self.resolve(configuration.executable, environment: configuration.environment)
        let result: Result<ChildProcess, ChildProcessError> = await withCheckedContinuation { continuation in
            NamedThread.detach(name: "child-\(configuration.executable.split(separator: "/").last ?? "")") {
                ChildProcessSupervisor(configuration: configuration, path: path).run { started in
                    continuation.resume(returning: started)
                }
            }
        }
        return try result.get()
    }

    /// Runs `configuration` to its end. Cancelling the calling task kills the child's process
    /// group (SIGKILL) and still waits for it to be reaped.
    public static func run(_ configuration: ChildProcessConfiguration) async throws(ChildProcessError) -> ChildProcessOutcome {
        let child = try await Self.start(configuration)
        return await withTaskCancellationHandler {
            await child.wait()
        } onCancel: {
            child.signal(SIGKILL)
        }
    }

    /// Waits until the child has ended and has been reaped.
    public func wait() async -> ChildProcessOutcome {
        await withCheckedContinuation { continuation in
            let finished: ChildProcessOutcome? = self.state.withLock { state in
                if let outcome = state.outcome { return outcome }
                state.waiters.append(continuation)
                return nil
            }
            if let finished { continuation.resume(returning: finished) }
        }
    }

    /// The outcome, once the child has been reaped.
    public var outcome: ChildProcessOutcome? { self.state.withLock { $0.outcome } }

    public var isRunning: Bool { self.outcome == nil }

    /// Sends `signal` to the child's whole process group, or only to the child. Nothing is sent
    /// once it has been reaped: its pid may belong to someone else by then.
    public func signal(_ signal: CInt, wholeGroup: Bool = true) {
        self.state.withLock { state in
            guard state.outcome == nil else { return }
            Posix.kill(wholeGroup ? -self.pid : self.pid, signal)
        }
    }

    /// Reaps the child under the lock that ``signal(_:wholeGroup:)`` takes, so no signal can
    /// reach a recycled pid; then hands the outcome to every waiter.
    fileprivate func reap(_ finish: (CInt) -> ChildProcessOutcome) {
        let waiters = self.state.withLock { state -> [CheckedContinuation<ChildProcessOutcome, Never>] in
            var status: CInt = 0
            while true {
                do {
                    status = try Posix.waitpid(self.pid) ?? 0
                    break
                } catch {
                    // ECHILD cannot happen for our own unreaped child; give up rather than spin.
                    status = 0x7f
                    break
                }
            }
            state.outcome = finish(status)
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        let outcome = self.outcome!
        for waiter in waiters { waiter.resume(returning: outcome) }
    }

    fileprivate static func make(pid: pid_t) -> ChildProcess { ChildProcess(pid: pid) }

    /// The absolute path of `executable`: as given when it has a slash, else the first
    /// executable regular file of that name on `environment`'s PATH.
    static func resolve(_ executable: String, environment: [String: String]) throws(ChildProcessError) -> String {
        if executable.contains("/") {
            guard access(executable, X_OK) == 0 else {
                throw ChildProcessError(.notFound, "\(executable) is not an executable file (\(String(cString: strerror(errno))))")
            }
            return executable
        }
        let path = environment["PATH"] ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(executable)"
            var info = stat()
            if stat(candidate, &info) == 0, info.st_mode & S_IFMT == S_IFREG, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        throw ChildProcessError(.notFound, "\(executable) is not installed (not found on PATH \(path))")
    }
}

/// The blocking half of a child process: runs on the child's own thread from spawn to reap.
private struct ChildProcessSupervisor {
    let configuration: ChildProcessConfiguration
    let path: String

    /// Bytes of a captured stream.
    private struct Capture {
        var fd: CInt
        var limit: Int
        var bytes: [UInt8] = []
        var isOpen = true
    }

    func run(started: (Result<ChildProcess, ChildProcessError>) -> Void) {
        // A child that closes its stdin early must give us EPIPE, not a SIGPIPE that kills the
        // whole process; blocked here, a SIGPIPE stays pending on this thread and dies with it.
        var pipeSignal = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &pipeSignal, nil)

        // Until the child runs, both lists are ours to close; then the pump owns the parent's
        // ends (and closes each at its end of file) and the child's are closed at once.
        var parentEnds: [CInt] = []
        var childEnds: [CInt] = []
        let child: ChildProcess
        var stdout: Capture?
        var stderr: Capture?
        var stdin: (fd: CInt, bytes: [UInt8], offset: Int)?
        do {
            let input = try self.inputDescriptor(&stdin, parentEnds: &parentEnds, childEnds: &childEnds)
            let output = try self.outputDescriptor(self.configuration.standardOutput, inherit: 1, capture: &stdout, parentEnds: &parentEnds, childEnds: &childEnds)
            let error = if case .standardOutput = self.configuration.standardError {
                output
            } else {
                try self.outputDescriptor(self.configuration.standardError, inherit: 2, capture: &stderr, parentEnds: &parentEnds, childEnds: &childEnds)
            }
            let pid = try self.spawn(stdin: input, stdout: output, stderr: error)
            for fd in childEnds { Posix.close(fd) }
            childEnds.removeAll()
            child = ChildProcess.make(pid: pid)
        } catch {
            for fd in childEnds + parentEnds { Posix.close(fd) }
            let failure = error as? ChildProcessError
                ?? ChildProcessError(.spawnFailed, "cannot start \(self.path)", cause: error as? SystemError)
            started(.failure(failure))
            return
        }
        started(.success(child))
        let timedOut = self.pump(child, stdout: &stdout, stderr: &stderr, stdin: &stdin)
        child.reap { status in
            let signal = status & 0x7f
            let termination: ChildProcessOutcome.Termination = signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
            return ChildProcessOutcome(termination: termination, standardOutput: stdout?.bytes ?? [],
                                       standardError: stderr?.bytes ?? [], timedOut: timedOut)
        }
    }

    private func inputDescriptor(_ stdin: inout (fd: CInt, bytes: [UInt8], offset: Int)?, parentEnds: inout [CInt], childEnds: inout [CInt]) throws -> CInt {
        switch self.configuration.input {
        case .inherit:
            return 0
        case .null:
            let fd = try Posix.open("/dev/null", flags: O_RDONLY)
            childEnds.append(fd)
            return fd
        case .bytes(let bytes):
            let pipe = try Posix.blockingPipe()
            childEnds.append(pipe.read)
            parentEnds.append(pipe.write)
            try Posix.setNonBlocking(pipe.write)
            stdin = (pipe.write, bytes, 0)
            return pipe.read
        }
    }

    private func outputDescriptor(_ output: ChildProcessConfiguration.Output, inherit: CInt, capture: inout Capture?, parentEnds: inout [CInt], childEnds: inout [CInt]) throws -> CInt {
        switch output {
        case .inherit, .standardOutput:
            // `.standardOutput` for standard output itself means its own stream.
            return inherit
        case .null:
            let fd = try Posix.open("/dev/null", flags: O_WRONLY)
            childEnds.append(fd)
            return fd
        case .file(let path):
            let fd = try Posix.open(path, flags: O_WRONLY | O_CREAT | O_APPEND)
            childEnds.append(fd)
            return fd
        case .capture(let limit):
            let pipe = try Posix.blockingPipe()
            childEnds.append(pipe.write)
            parentEnds.append(pipe.read)
            try Posix.setNonBlocking(pipe.read)
            capture = Capture(fd: pipe.read, limit: limit)
            return pipe.write
        }
    }

    private func spawn(stdin: CInt, stdout: CInt, stderr: CInt) throws(ChildProcessError) -> pid_t {
        let argv = ([self.path] + self.configuration.arguments).map { strdup($0) } + [nil]
        let envp = self.configuration.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: CInt = 0
        let error: CInt = self.path.withCString { path in
            self.withOptionalCString(self.configuration.currentDirectory) { directory in
                argv.withUnsafeBufferPointer { argv in
                    envp.withUnsafeBufferPointer { envp in
                        var options = csystem_spawn_options(
                            path: path, argv: argv.baseAddress, envp: envp.baseAddress, directory: directory,
                            stdin_fd: stdin, stdout_fd: stdout, stderr_fd: stderr, new_process_group: 1,
                            parent_death_signal: self.configuration.diesWithParent ? SIGKILL : 0)
                        return csystem_spawn(&options, &pid)
                    }
                }
            }
        }
        guard error == 0 else {
            let reason = String(cString: strerror(error))
            if error == ENOENT || error == EACCES || error == ENOEXEC {
                throw ChildProcessError(.notFound, "cannot run \(self.path): \(reason)")
            }
            throw ChildProcessError(.spawnFailed, "cannot start \(self.path): \(reason)")
        }
        return pid
    }

    private func withOptionalCString<T>(_ string: String?, _ body: (UnsafePointer<CChar>?) -> T) -> T {
        guard let string else { return body(nil) }
        return string.withCString { body($0) }
    }

    /// Moves bytes until the child has exited and its captured streams are at their end (or
    /// quiet for a moment after its exit: a grandchild may hold them open). Returns whether the
    /// timeout killed it.
    private func pump(_ child: ChildProcess, stdout: inout Capture?, stderr: inout Capture?, stdin: inout (fd: CInt, bytes: [UInt8], offset: Int)?) -> Bool {
        let exitDescriptor = (try? Posix.pidfdOpen(child.pid)) ?? nil
        defer { if let exitDescriptor { Posix.close(exitDescriptor) } }
        let clock = ContinuousClock()
        let deadline = self.configuration.timeout.map { clock.now + $0 }
        var timedOut = false
        var exited = false
        var buffer = [UInt8](repeating: 0, count: 65536)
        if let input = stdin, input.bytes.isEmpty {
            Posix.close(input.fd)
            stdin = nil
        }
        while true {
            let capturesOpen = (stdout?.isOpen ?? false) || (stderr?.isOpen ?? false)
            if exited && !capturesOpen { break }
            var fds: [pollfd] = []
            if let capture = stdout, capture.isOpen { fds.append(pollfd(fd: capture.fd, events: Int16(POLLIN), revents: 0)) }
            if let capture = stderr, capture.isOpen { fds.append(pollfd(fd: capture.fd, events: Int16(POLLIN), revents: 0)) }
            if let input = stdin { fds.append(pollfd(fd: input.fd, events: Int16(POLLOUT), revents: 0)) }
            if let exitDescriptor, !exited { fds.append(pollfd(fd: exitDescriptor, events: Int16(POLLIN), revents: 0)) }

            var timeout: Int64 = -1
            if let deadline, !timedOut {
                let remaining = deadline - clock.now
                if remaining <= .zero {
                    child.signal(SIGKILL)
                    timedOut = true
                } else {
                    timeout = Self.milliseconds(remaining)
                }
            }
            // Without a pidfd the exit is found by polling waitpid between short waits.
            if exitDescriptor == nil && !exited { timeout = timeout < 0 ? 50 : min(timeout, 50) }
            // After the exit, a stream that stays quiet this long is held by a grandchild.
            if exited { timeout = timeout < 0 ? 200 : min(timeout, 200) }
            let ready = fds.withUnsafeMutableBufferPointer { pointer in
                (try? Posix.poll(pointer, timeoutMilliseconds: CInt(clamping: timeout))) ?? 0
            }
            if exitDescriptor == nil && !exited && Self.hasExited(child.pid) { exited = self.childExited(child) }
            if ready == 0 {
                if exited { break }
                continue
            }
            for entry in fds where entry.revents != 0 {
                if entry.fd == exitDescriptor {
                    exited = self.childExited(child)
                } else if entry.fd == stdout?.fd {
                    Self.drain(&stdout!, buffer: &buffer)
                } else if entry.fd == stderr?.fd {
                    Self.drain(&stderr!, buffer: &buffer)
                } else if entry.fd == stdin?.fd {
                    Self.feed(&stdin)
                }
            }
            if exited, let input = stdin {
                // Nobody will read what is left.
                Posix.close(input.fd)
                stdin = nil
            }
        }
        for capture in [stdout, stderr] {
            if let capture, capture.isOpen { Posix.close(capture.fd) }
        }
        if let input = stdin { Posix.close(input.fd) }
        return timedOut
    }

    /// The child has exited (it is not reaped yet, so its pid, and with it its process group's
    /// id, cannot have been reused): what it left running in its group goes too.
    private func childExited(_ child: ChildProcess) -> Bool {
        if self.configuration.killsGroupOnExit { Posix.kill(-child.pid, SIGKILL) }
        return true
    }

    /// Whether the child has exited, without reaping it (`WNOWAIT`), so that ``ChildProcess``
    /// reaps it under its lock.
    private static func hasExited(_ pid: pid_t) -> Bool {
        var info = siginfo_t()
        let result = waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT)
        return result == 0 && info._sifields._sigchld.si_pid == pid
    }

    private static func drain(_ capture: inout Capture, buffer: inout [UInt8]) {
        while capture.isOpen {
            let result = buffer.withUnsafeMutableBytes { pointer in Result { () throws(SystemError) in try Posix.read(capture.fd, into: pointer) } }
            switch result {
            case .success(.processed(0)), .failure:
                Posix.close(capture.fd)
                capture.isOpen = false
            case .success(.processed(let count)):
                let kept = max(0, min(count, capture.limit - capture.bytes.count))
                if kept > 0 { capture.bytes.append(contentsOf: buffer[0..<kept]) }
            case .success(.wouldBlock):
                return
            }
        }
    }

    private static func feed(_ stdin: inout (fd: CInt, bytes: [UInt8], offset: Int)?) {
        guard var input = stdin else { return }
        while input.offset < input.bytes.count {
            let result = input.bytes.withUnsafeBytes { pointer in
                Result { () throws(SystemError) in try Posix.write(input.fd, from: UnsafeRawBufferPointer(rebasing: pointer[input.offset...])) }
            }
            switch result {
            case .success(.processed(let count)):
                input.offset += count
            case .success(.wouldBlock):
                stdin = input
                return
            case .failure:
                // EPIPE: the child closed its stdin; it gets no more.
                input.offset = input.bytes.count
            }
        }
        Posix.close(input.fd)
        stdin = nil
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return max(1, seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
    }
}
