// slipway — Compression tests
// SPDX-License-Identifier: Apache-2.0

import Foundation

/// What a finished child process produced.
struct ToolResult: Sendable {
    var status: Int32
    var stdout: [UInt8]
    var stderr: String
}

/// Runs the real `gzip` and `python3` to check our output against independent code.
///
/// stdin, stdout and stderr are temporary files rather than pipes, so a large input or
/// output can never deadlock, and the wait happens in Foundation's termination handler
/// instead of blocking a thread of the (two-thread) cooperative pool.
enum ExternalTool {
    /// The gzip binary the brief names; Debian's merged /usr makes /bin/gzip and
    /// /usr/bin/gzip the same file.
    static let gzip = FileManager.default.isExecutableFile(atPath: "/bin/gzip") ? "/bin/gzip" : "/usr/bin/gzip"

    /// Runs `executable` with `arguments`, feeding it `stdin`.
    static func run(_ executable: String, _ arguments: [String], stdin: [UInt8] = []) async throws -> ToolResult {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let inputURL = directory.appendingPathComponent("stdin")
        let outputURL = directory.appendingPathComponent("stdout")
        let errorURL = directory.appendingPathComponent("stderr")
        try Data(stdin).write(to: inputURL)
        try Data().write(to: outputURL)
        try Data().write(to: errorURL)

        let input = try FileHandle(forReadingFrom: inputURL)
        let output = try FileHandle(forWritingTo: outputURL)
        let errors = try FileHandle(forWritingTo: errorURL)
        defer {
            try? input.close()
            try? output.close()
            try? errors.close()
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        return ToolResult(
            status: status,
            stdout: Array(try Data(contentsOf: outputURL)),
            stderr: String(decoding: try Data(contentsOf: errorURL), as: UTF8.self)
        )
    }

    /// Runs a Python 3 program given as source text (found on PATH, as a developer would).
    static func python(_ program: String, stdin: [UInt8] = []) async throws -> ToolResult {
        try await run("/usr/bin/env", ["python3", "-c", program], stdin: stdin)
    }

    /// A fresh directory for one test's files.
    static func makeTemporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("slipway-compression-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
