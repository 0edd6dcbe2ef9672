// slipway — webhook tests
// SPDX-License-Identifier: Apache-2.0

import Foundation
import TestSupport

/// A real git repository in a temporary directory, pushed to through `file://`.
struct GitRepository {
    let path: String

    init() async throws {
        self.path = "/tmp/slipway-webhook-repo-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: self.path, withIntermediateDirectories: true)
        try await self.git("init", "--quiet", "-b", "master")
    }

    var url: String { "file://\(self.path)" }

    func remove() {
        try? FileManager.default.removeItem(atPath: self.path)
    }

    /// Writes `files` and commits them; returns the new commit's sha.
    @discardableResult
    func commit(_ files: [String: String], message: String, branch: String = "master") async throws -> String {
        if try await self.git("branch", "--show-current") != branch {
            let exists = (try? await self.git("rev-parse", "--verify", "--quiet", "refs/heads/\(branch)")) != nil
            try await self.git(exists ? ["checkout", "--quiet", branch] : ["checkout", "--quiet", "-b", branch])
        }
        for (name, text) in files {
            let file = "\(self.path)/\(name)"
            try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: file, atomically: true, encoding: .utf8)
        }
        try await self.git("add", "-A")
        try await self.git("-c", "user.name=Jane Tester", "-c", "user.email=jane@example.com", "commit", "--quiet", "--allow-empty", "-m", message)
        return try await self.git("rev-parse", "HEAD")
    }

    @discardableResult
    func git(_ arguments: String...) async throws -> String {
        try await self.git(arguments)
    }

    @discardableResult
    func git(_ arguments: [String]) async throws -> String {
        let result = try await ProcessRunner.run("git", ["-C", self.path] + arguments,
                                                 environment: ["GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"])
        let text = (result.stdout + result.stderr).trimmingCharacters(in: .whitespacesAndNewlines)
        guard result.status == 0 else {
            throw ProcessRunnerError(message: "git \(arguments.joined(separator: " ")) failed: \(text)")
        }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// GitLab's documented push payload, rewritten for a push of `sha` to `branch` here.
    func pushPayload(sha: String, before: String? = nil, branch: String = "master", message: String) throws -> [UInt8] {
        try Fixture.edited("push") { body in
            body["ref"] = "refs/heads/\(branch)"
            body["after"] = sha
            body["checkout_sha"] = sha
            body["before"] = before ?? String(repeating: "0", count: 40)
            var commit = (body["commits"] as! [[String: Any]]).last!
            commit["id"] = sha
            commit["message"] = message
            commit["title"] = message.split(separator: "\n").first.map(String.init) ?? message
            body["commits"] = [commit]
            body["total_commits_count"] = 1
        }
    }
}
