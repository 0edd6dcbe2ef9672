// slipway — Processes
// SPDX-License-Identifier: Apache-2.0

/// What to run as a child process, and how to connect it.
///
/// Every child is started the same way (``ChildProcess/start(_:)``): fork and execve through
/// one C function, every descriptor but its three standard streams closed, signal handlers and
/// mask back to their defaults, a process group of its own so that a timeout or a cancelled
/// task kills it together with whatever it started, and by default the child dies with the
/// thread that waits for it — so a crashed slipway (or test run) leaves no children behind.
public struct ChildProcessConfiguration: Sendable {
    public enum Input: Sendable {
        /// `/dev/null`.
        case null
        /// These bytes, then end of file.
        case bytes([UInt8])
        /// The caller's own standard input.
        case inherit
    }

    public enum Output: Sendable {
        /// Kept in memory, up to `limit` bytes; the rest is read and dropped.
        case capture(limit: Int)
        /// Appended to the file at `path` (created if missing).
        case file(path: String)
        /// `/dev/null`.
        case null
        /// The caller's own stream.
        case inherit
        /// Standard error only: the same pipe or file as standard output, in the order written.
        case standardOutput
    }

    /// An absolute path, or a name looked up on the `PATH` of ``environment``.
    public var executable: String
    public var arguments: [String]
    /// Exactly the child's environment (nothing is inherited unless put here).
    public var environment: [String: String]
    public var currentDirectory: String?
    public var input: Input
    public var standardOutput: Output
    public var standardError: Output
    /// Killed (SIGKILL, with its process group) after this long.
    public var timeout: Duration?
    /// SIGKILL when the waiting thread, and so the parent process, ends.
    public var diesWithParent: Bool
    /// When the child exits, SIGKILL for whatever it left running in its process group
    /// (`cmd &`), which would otherwise outlive it unnoticed.
    public var killsGroupOnExit: Bool

    public static let defaultCaptureLimit = 64 << 20

    public init(
        executable: String,
        arguments: [String] = [],
        environment: [String: String],
        currentDirectory: String? = nil,
        input: Input = .null,
        standardOutput: Output = .capture(limit: ChildProcessConfiguration.defaultCaptureLimit),
        standardError: Output = .capture(limit: ChildProcessConfiguration.defaultCaptureLimit),
        timeout: Duration? = nil,
        diesWithParent: Bool = true,
        killsGroupOnExit: Bool = true
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.currentDirectory = currentDirectory
        self.input = input
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.timeout = timeout
        self.diesWithParent = diesWithParent
        self.killsGroupOnExit = killsGroupOnExit
    }
}

/// How a child process ended, and what it wrote to captured streams.
public struct ChildProcessOutcome: Sendable {
    public enum Termination: Sendable, Hashable, CustomStringConvertible {
        case exited(Int32)
        case signaled(Int32)

        /// The shell's number: the exit code, or 128 + the signal.
        public var status: Int32 {
            switch self {
            case .exited(let code): code
            case .signaled(let signal): 128 + signal
            }
        }

        public var description: String {
            switch self {
            case .exited(let code): "exit status \(code)"
            case .signaled(let signal): "killed by signal \(signal)"
            }
        }
    }

    public var termination: Termination
    public var standardOutput: [UInt8]
    public var standardError: [UInt8]
    /// Whether ``ChildProcessConfiguration/timeout`` ended it.
    public var timedOut: Bool

    public init(termination: Termination, standardOutput: [UInt8], standardError: [UInt8], timedOut: Bool) {
        self.termination = termination
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.timedOut = timedOut
    }
}

/// A child process could not be started.
public struct ChildProcessError: Error, Sendable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let description: String
        /// The executable was not found, or is not executable.
        public static let notFound = Code(description: "not found")
        /// fork, execve, a pipe or a file could not be set up.
        public static let spawnFailed = Code(description: "spawn failed")
    }

    public var code: Code
    public var message: String
    public var cause: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String {
        if let cause { return "\(self.message): \(cause)" }
        return self.message
    }
}
