// slipway — GitLab tests
// SPDX-License-Identifier: Apache-2.0

import Foundation

/// Runs programs (git, sh) for the tests; the wait happens in Foundation's termination handler,
/// off the cooperative pool.
enum GitTestSupport {
    struct Output: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ executable: String, _ arguments: [String], directory: String? = nil) async throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : "/usr/bin/env")
        process.arguments = executable.hasPrefix("/") ? arguments : [executable] + arguments
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in ["GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_AUTHOR_NAME": "Test",
                             "GIT_AUTHOR_EMAIL": "test@example.com", "GIT_COMMITTER_NAME": "Test",
                             "GIT_COMMITTER_EMAIL": "test@example.com"] {
            environment[key] = value
        }
        process.environment = environment
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        return Output(status: status,
                      stdout: String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self),
                      stderr: String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }

    /// Runs git in `directory` and fails the test if it fails.
    @discardableResult
    static func git(_ arguments: [String], in directory: String) async throws -> String {
        let output = try await self.run("git", ["-C", directory] + arguments)
        guard output.status == 0 else {
            throw GitTestError(message: "git \(arguments.joined(separator: " ")) failed: \(output.stderr)")
        }
        return output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func temporaryDirectory(_ name: String) throws -> String {
        let path = NSTemporaryDirectory() + "slipway-gitlab-\(name)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

struct GitTestError: Error, CustomStringConvertible {
    var message: String
    var description: String { self.message }
}
