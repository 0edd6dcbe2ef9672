// slipway — test support
// SPDX-License-Identifier: Apache-2.0

import Foundation

/// The outcome of a finished child process.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    public var stdoutBytes: [UInt8]
}

/// Runs external programs (curl, python, git, docker) for tests, without blocking the
/// cooperative pool: the wait happens in Foundation's termination handler.
public enum ProcessRunner {
    /// Runs `executable` with `arguments`; throws if it cannot be started.
    public static func run(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String]? = nil,
        input: [UInt8]? = nil,
        currentDirectory: String? = nil
    ) async throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.resolve(executable))
        process.arguments = arguments
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
        let stdout = Pipe()
        let stderr = Pipe()
        let stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = stdin
        // Each pipe is drained to its end by a thread of its own with blocking reads (not
        // readabilityHandler: its dispatch sources have crashed libdispatch when the pipes close).
        async let out = Self.readToEnd(stdout.fileHandleForReading)
        async let err = Self.readToEnd(stderr.fileHandleForReading)
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { process in continuation.resume(returning: process.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                try? stdout.fileHandleForWriting.close()
                try? stderr.fileHandleForWriting.close()
                continuation.resume(throwing: error)
                return
            }
            // Our copies of the write ends: the readers see the end once the child's are closed.
            try? stdout.fileHandleForWriting.close()
            try? stderr.fileHandleForWriting.close()
            Thread.detachNewThread {
                if let input { stdin.fileHandleForWriting.write(Data(input)) }
                try? stdin.fileHandleForWriting.close()
            }
        }
        let (outBytes, errBytes) = await (out, err)
        return ProcessResult(status: status, stdout: String(decoding: outBytes, as: UTF8.self), stderr: String(decoding: errBytes, as: UTF8.self), stdoutBytes: outBytes)
    }

    /// Everything `handle` yields until end of file, read on a dedicated thread.
    private static func readToEnd(_ handle: FileHandle) async -> [UInt8] {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                let data: Data? = try? handle.readToEnd()
                continuation.resume(returning: [UInt8](data ?? Data()))
            }
        }
    }

    /// Finds `name` on PATH (absolute paths are returned as they are).
    public static func resolve(_ name: String) throws -> String {
        if name.hasPrefix("/") { return name }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw ProcessRunnerError(message: "\(name) is not installed (not found on PATH); run scripts/test.sh, which installs the test tools")
    }

    /// The Python interpreter with the test dependencies (`SLIPWAY_PYTHON`, else `python3`).
    public static var python: String {
        ProcessInfo.processInfo.environment["SLIPWAY_PYTHON"] ?? "python3"
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
