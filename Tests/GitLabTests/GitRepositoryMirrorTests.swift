// slipway — GitLab tests
// SPDX-License-Identifier: Apache-2.0

import Foundation
import GitLab
import Testing

/// Real repositories made with `git init` in a temporary directory, fetched over `file://`.
@Suite struct GitRepositoryMirrorTests {
    /// A repository with two commits on main; returns its path and both shas.
    private func makeOrigin() async throws -> (path: String, first: String, second: String) {
        let origin = try GitTestSupport.temporaryDirectory("origin")
        try await GitTestSupport.git(["init", "--quiet", "--initial-branch=main"], in: origin)
        try "one\n".write(toFile: origin + "/file.txt", atomically: true, encoding: .utf8)
        try await GitTestSupport.git(["add", "file.txt"], in: origin)
        try await GitTestSupport.git(["commit", "--quiet", "-m", "first commit"], in: origin)
        let first = try await GitTestSupport.git(["rev-parse", "HEAD"], in: origin)
        try "stages: [build]\nbuild:\n  stage: build\n  script: [echo hi]\n".write(toFile: origin + "/.gitlab-ci.yml", atomically: true, encoding: .utf8)
        try "two\n".write(toFile: origin + "/file.txt", atomically: true, encoding: .utf8)
        try await GitTestSupport.git(["add", "."], in: origin)
        try await GitTestSupport.git(["commit", "--quiet", "-m", "Second commit\n\nWith a body"], in: origin)
        let second = try await GitTestSupport.git(["rev-parse", "HEAD"], in: origin)
        return (origin, first, second)
    }

    @Test func fetchesOneShaAndChecksItOut() async throws {
        let (origin, first, second) = try await self.makeOrigin()
        let root = try GitTestSupport.temporaryDirectory("mirrors")
        let mirror = GitRepositoryMirror(directory: root)
        try await mirror.fetch(project: "group/app", url: "file://" + origin, ref: "refs/heads/main", sha: second, credentials: nil)
        #expect(mirror.mirrorPath(for: "group/app") == root + "/group%2Fapp.git")
        #expect(FileManager.default.fileExists(atPath: mirror.mirrorPath(for: "group/app") + "/HEAD"))

        let workspace = try GitTestSupport.temporaryDirectory("workspace")
        try await mirror.checkout(project: "group/app", sha: second, into: workspace)
        #expect(try String(contentsOfFile: workspace + "/file.txt", encoding: .utf8) == "two\n")
        #expect(FileManager.default.fileExists(atPath: workspace + "/.gitlab-ci.yml"))
        #expect(try await GitTestSupport.git(["rev-parse", "HEAD"], in: workspace) == second)
        #expect(try await GitTestSupport.git(["rev-list", "--count", "HEAD"], in: workspace) == "1", "a depth-1 checkout")
        #expect(try await mirror.commitMessage(project: "group/app", sha: second) == "Second commit\n\nWith a body")

        // The older commit is an ancestor, so it is already in the mirror; the checkout works
        // without another fetch from the origin (which is gone now).
        try FileManager.default.removeItem(atPath: origin)
        try await mirror.fetch(project: "group/app", url: "file://" + origin, ref: "refs/heads/main", sha: first, credentials: nil)
        let older = try GitTestSupport.temporaryDirectory("workspace-old")
        try await mirror.checkout(project: "group/app", sha: first, into: older)
        #expect(try String(contentsOfFile: older + "/file.txt", encoding: .utf8) == "one\n")
        #expect(!FileManager.default.fileExists(atPath: older + "/.gitlab-ci.yml"))
    }

    /// A repository with `count` unrelated commits, each on a branch of its own, so fetching
    /// one never brings another.
    private func makeUnrelatedCommits(_ count: Int) async throws -> (path: String, shas: [String]) {
        let origin = try GitTestSupport.temporaryDirectory("origin")
        try await GitTestSupport.git(["init", "--quiet", "--initial-branch=main"], in: origin)
        var shas: [String] = []
        for index in 0..<count {
            try await GitTestSupport.git(["checkout", "--quiet", "--orphan", "branch-\(index)"], in: origin)
            try "\(index)\n".write(toFile: origin + "/file.txt", atomically: true, encoding: .utf8)
            try await GitTestSupport.git(["add", "file.txt"], in: origin)
            try await GitTestSupport.git(["commit", "--quiet", "-m", "commit \(index)"], in: origin)
            shas.append(try await GitTestSupport.git(["rev-parse", "HEAD"], in: origin))
        }
        return (origin, shas)
    }

    /// A git that notes each `fetch` it runs in `log`, and "overlap" when another fetch is
    /// running at the same time (it waits up to a second for one to show up, so overlap that
    /// is allowed happens for certain).
    private func makeOverlapDetectingGit() throws -> (git: String, log: String) {
        let directory = try GitTestSupport.temporaryDirectory("git-wrapper")
        let git = "\(directory)/git"
        let script = """
            #!/bin/sh
            case " $* " in
            *" fetch "*)
              touch "\(directory)/active.$$"
              i=0
              while [ $i -lt 20 ]; do
                if [ "$(ls "\(directory)" | grep -c '^active\\.')" -gt 1 ]; then echo overlap >> "\(directory)/log"; break; fi
                sleep 0.05
                i=$((i + 1))
              done
              /usr/bin/env git "$@"
              status=$?
              echo fetch >> "\(directory)/log"
              rm -f "\(directory)/active.$$"
              exit $status
              ;;
            esac
            exec /usr/bin/env git "$@"
            """
        try script.write(toFile: git, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: git)
        return (git, "\(directory)/log")
    }

    @Test func concurrentFetchesOfOneProjectAreSerialised() async throws {
        let (origin, shas) = try await self.makeUnrelatedCommits(4)
        let (git, log) = try self.makeOverlapDetectingGit()
        let mirror = GitRepositoryMirror(directory: try GitTestSupport.temporaryDirectory("mirrors"), git: git)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for sha in shas {
                group.addTask { try await mirror.fetch(project: "p", url: "file://" + origin, ref: nil, sha: sha, credentials: nil) }
            }
            try await group.waitForAll()
        }
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        #expect(lines.filter { $0 == "fetch" }.count == 4, "every commit needed a fetch of its own: \(lines)")
        #expect(!lines.contains("overlap"), "two fetches into one mirror ran at once: \(lines)")
        for sha in shas {
            let workspace = try GitTestSupport.temporaryDirectory("workspace")
            try await mirror.checkout(project: "p", sha: sha, into: workspace)
        }
    }

    /// The control for the test above: the detector sees overlap where it is allowed, between
    /// the mirrors of two projects.
    @Test func fetchesOfDifferentProjectsRunAtOnce() async throws {
        let (origin, shas) = try await self.makeUnrelatedCommits(2)
        let (git, log) = try self.makeOverlapDetectingGit()
        let mirror = GitRepositoryMirror(directory: try GitTestSupport.temporaryDirectory("mirrors"), git: git)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, sha) in shas.enumerated() {
                group.addTask { try await mirror.fetch(project: "p\(index)", url: "file://" + origin, ref: nil, sha: sha, credentials: nil) }
            }
            try await group.waitForAll()
        }
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        #expect(lines.filter { $0 == "fetch" }.count == 2)
        #expect(lines.contains("overlap"), "\(lines)")
    }

    @Test func missingCommitFailsWithGitsMessage() async throws {
        let (origin, _, _) = try await self.makeOrigin()
        let mirror = GitRepositoryMirror(directory: try GitTestSupport.temporaryDirectory("mirrors"))
        let absent = String(repeating: "ab", count: 20)
        do {
            try await mirror.fetch(project: "p", url: "file://" + origin, ref: "refs/heads/main", sha: absent, credentials: nil)
            Issue.record("fetched a commit that does not exist")
        } catch let error as GitLabError {
            #expect(error.code == .gitFailed)
            #expect(error.message.contains(absent), "\(error.message)")
        }
        await #expect(throws: GitLabError.self) {
            try await mirror.checkout(project: "p", sha: absent, into: try GitTestSupport.temporaryDirectory("w"))
        }
    }

    @Test func tokenNeverAppearsInErrors() async throws {
        let token = "glpat-SuperSecretToken123"
        let mirror = GitRepositoryMirror(directory: try GitTestSupport.temporaryDirectory("mirrors"), fetchTimeout: .seconds(30))
        let sha = String(repeating: "1", count: 40)
        // Port 1 on loopback: connection refused, never leaves the machine.
        for url in ["http://127.0.0.1:1/group/app.git", "http://oauth2:\(token)@127.0.0.1:1/group/app.git"] {
            do {
                try await mirror.fetch(project: "p", url: url, ref: "refs/heads/main", sha: sha, credentials: GitCredentials(token: token))
                Issue.record("fetch from a closed port succeeded")
            } catch let error as GitLabError {
                #expect(error.code == .gitFailed)
                let text = "\(error) \(error.message) \(String(describing: error.underlying))"
                #expect(!text.contains(token), "\(text)")
                #expect(!text.contains(Data("oauth2:\(token)".utf8).base64EncodedString()))
                #expect(text.contains("127.0.0.1:1"), "the message still says where: \(text)")
                #expect(text.lowercased().contains("connect") || text.contains("refused"), "git's own reason is kept: \(text)")
                #expect(error.message.hasPrefix("git fetch failed with exit status 128: "), "\(error.message)")
            }
        }
    }

    @Test func timeoutKillsGit() async throws {
        // A listening socket that never answers: git waits for the HTTP response until killed.
        let listener = try await SilentListener.start()
        defer { listener.stop() }
        let mirror = GitRepositoryMirror(directory: try GitTestSupport.temporaryDirectory("mirrors"), fetchTimeout: .milliseconds(700))
        let started = ContinuousClock.now
        do {
            try await mirror.fetch(project: "p", url: "http://127.0.0.1:\(listener.port)/app.git", ref: nil,
                                   sha: String(repeating: "2", count: 40), credentials: GitCredentials(token: "secret-token-x"))
            Issue.record("fetch from a silent server succeeded")
        } catch let error as GitLabError {
            #expect(error.code == .gitTimedOut, "\(error)")
            #expect(!error.message.contains("secret-token-x"))
        }
        // git itself would wait for the silent server far longer (its transfer has no timeout).
        #expect(started.duration(to: .now) < .seconds(60))
    }

    @Test(arguments: ["not-a-sha", String(repeating: "g", count: 40), "-c" + String(repeating: "a", count: 38)])
    func refusesBadShas(_ sha: String) async throws {
        let mirror = GitRepositoryMirror(directory: try GitTestSupport.temporaryDirectory("mirrors"))
        await #expect(throws: GitLabError.self) {
            try await mirror.fetch(project: "p", url: "file:///nonexistent", ref: nil, sha: sha, credentials: nil)
        }
    }

    @Test(arguments: ["main", "refs/heads/a..b", "refs/heads/x:y", "refs/heads/with space"])
    func refusesBadRefs(_ ref: String) async throws {
        let mirror = GitRepositoryMirror(directory: try GitTestSupport.temporaryDirectory("mirrors"))
        await #expect(throws: GitLabError.self) {
            try await mirror.fetch(project: "p", url: "file:///nonexistent", ref: ref, sha: String(repeating: "a", count: 40), credentials: nil)
        }
    }
}

/// A TCP listener on 127.0.0.1 that accepts connections and never writes.
final class SilentListener: @unchecked Sendable {
    // @unchecked: the fd is set once in start() and closed once in stop().
    let fd: Int32
    let port: Int

    private init(fd: Int32, port: Int) {
        self.fd = fd
        self.port = port
    }

    static func start() async throws -> SilentListener {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0, listen(fd, 16) == 0 else { throw GitTestError(message: "cannot listen: \(errno)") }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        // The kernel completes handshakes into the backlog; nobody ever accepts or answers.
        return SilentListener(fd: fd, port: Int(UInt16(bigEndian: address.sin_port)))
    }

    func stop() { close(self.fd) }
}
