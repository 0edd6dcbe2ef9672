// slipway — Compression tests
// SPDX-License-Identifier: Apache-2.0

import Foundation
import TestSupport

/// What a finished child process produced.
struct ToolResult: Sendable {
    var status: Int32
    var stdout: [UInt8]
    var stderr: String
}

/// Runs the real `gzip` and `python3` to check our output against independent code, through
/// the shared ``ProcessRunner`` (both streams drained concurrently, so a large input or output
/// cannot deadlock).
enum ExternalTool {
    /// The gzip binary the brief names; Debian's merged /usr makes /bin/gzip and
    /// /usr/bin/gzip the same file.
    static let gzip = FileManager.default.isExecutableFile(atPath: "/bin/gzip") ? "/bin/gzip" : "/usr/bin/gzip"

    /// Runs `executable` with `arguments`, feeding it `stdin`.
    static func run(_ executable: String, _ arguments: [String], stdin: [UInt8] = []) async throws -> ToolResult {
        let result = try await ProcessRunner.run(executable, arguments, input: stdin)
        return ToolResult(status: result.status, stdout: result.stdoutBytes, stderr: result.stderr)
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
