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
        let collector = OutputCollector()
        stdout.fileHandleForReading.readabilityHandler = { handle in collector.appendOut(handle.availableData) }
        stderr.fileHandleForReading.readabilityHandler = { handle in collector.appendErr(handle.availableData) }
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { process in continuation.resume(returning: process.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
                return
            }
            if let input { stdin.fileHandleForWriting.write(Data(input)) }
            try? stdin.fileHandleForWriting.close()
        }
        stdout.fileHandleForReading.readabilityHandler = nil
        stderr.fileHandleForReading.readabilityHandler = nil
        collector.appendOut(stdout.fileHandleForReading.readDataToEndOfFile())
        collector.appendErr(stderr.fileHandleForReading.readDataToEndOfFile())
        let (out, err) = collector.snapshot()
        return ProcessResult(status: status, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self), stdoutBytes: out)
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

private final class OutputCollector: @unchecked Sendable {
    // @unchecked: guarded by `lock`.
    private let lock = NSLock()
    private var out = Data()
    private var err = Data()
    func appendOut(_ data: Data) { self.lock.withLock { self.out.append(data) } }
    func appendErr(_ data: Data) { self.lock.withLock { self.err.append(data) } }
    func snapshot() -> ([UInt8], [UInt8]) { self.lock.withLock { (Array(self.out), Array(self.err)) } }
}
