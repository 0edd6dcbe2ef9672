// slipway — GitLab tests
// SPDX-License-Identifier: Apache-2.0

import Foundation
import TestSupport

/// Runs programs (git, sh) for the tests through the shared ``ProcessRunner``.
enum GitTestSupport {
    struct Output: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Who the test commits are by, and no system or user git configuration.
    static let gitEnvironment = [
        "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.com", "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com",
    ]

    static func run(_ executable: String, _ arguments: [String], directory: String? = nil) async throws -> Output {
        let result = try await ProcessRunner.run(executable, arguments, environment: Self.gitEnvironment, currentDirectory: directory)
        return Output(status: result.status, stdout: result.stdout, stderr: result.stderr)
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
