// slipway — test support
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Processes

/// The outcome of a finished child process.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    public var stdoutBytes: [UInt8]
    public var timedOut: Bool
}

/// Runs external programs (curl, python, git, docker, slipway) for tests, through the same
/// ``ChildProcess`` the product uses: fork/exec with every other descriptor closed, a process
/// group of its own, both streams drained by the child's own thread, and SIGKILL for the whole
/// group when the test process dies — so a crashed test run leaves nothing running.
public enum ProcessRunner {
    /// The test process's environment, read once: tests never change it (`setenv` races with
    /// every reader of `environ` in the process).
    public static let environment: [String: String] = ProcessEnvironment.current

    /// Runs `executable` with `arguments` and `environment` added to the test process's;
    /// throws if it cannot be started. A test that hangs a child is ended by `timeout`.
    public static func run(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String]? = nil,
        input: [UInt8]? = nil,
        currentDirectory: String? = nil,
        timeout: Duration = .seconds(300)
    ) async throws -> ProcessResult {
        let configuration = ChildProcessConfiguration(
            executable: executable, arguments: arguments,
            environment: Self.environment.merging(environment ?? [:]) { _, new in new },
            currentDirectory: currentDirectory, input: input.map { .bytes($0) } ?? .null,
            timeout: timeout)
        let outcome = try await ChildProcess.run(configuration)
        return ProcessResult(
            status: outcome.termination.status,
            stdout: String(decoding: outcome.standardOutput, as: UTF8.self),
            stderr: String(decoding: outcome.standardError, as: UTF8.self),
            stdoutBytes: outcome.standardOutput, timedOut: outcome.timedOut)
    }

    /// Starts a long-running child (a server, a daemon) whose output goes to `logPath`; stop it
    /// with ``ChildProcess/signal(_:wholeGroup:)`` and ``ChildProcess/wait()``.
    public static func start(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String]? = nil,
        replacingEnvironment: Bool = false,
        currentDirectory: String? = nil,
        logPath: String
    ) async throws -> ChildProcess {
        let base = replacingEnvironment ? [:] : Self.environment
        return try await ChildProcess.start(ChildProcessConfiguration(
            executable: executable, arguments: arguments,
            environment: base.merging(environment ?? [:]) { _, new in new },
            currentDirectory: currentDirectory, input: .null,
            standardOutput: .file(path: logPath), standardError: .file(path: logPath)))
    }

    /// Finds `name` on PATH (absolute paths are returned as they are).
    public static func resolve(_ name: String) throws -> String {
        if name.hasPrefix("/") { return name }
        let path = Self.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw ProcessRunnerError(message: "\(name) is not installed (not found on PATH); run scripts/test.sh, which installs the test tools")
    }

    /// The Python interpreter with the test dependencies (`SLIPWAY_PYTHON`, else `python3`).
    public static var python: String {
        Self.environment["SLIPWAY_PYTHON"] ?? "python3"
    }

    /// The repository root (found from this source file's location).
    public static var repositoryRoot: String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }
}

public struct ProcessRunnerError: Error, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { self.message }
}
