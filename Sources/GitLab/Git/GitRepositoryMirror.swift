// slipway — GitLab
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import Logging
import Processes

/// Keeps one bare mirror per project under ``directory``, fetches exactly the commit a pipeline
/// needs into it, and checks that commit out into a job's workspace.
///
/// ```swift
/// let mirror = GitRepositoryMirror(directory: dataDirectory + "/git")
/// try await mirror.fetch(project: "group/app", url: trigger.cloneURL, ref: trigger.ref.fullRef,
///                        sha: trigger.sha, credentials: project.cloneToken.map { GitCredentials(token: $0) })
/// try await mirror.checkout(project: "group/app", sha: trigger.sha, into: workspace)
/// ```
///
/// git runs as a child process (``GitProcess``) with an environment built from scratch: no
/// system or global git config, no terminal prompts, the credentials as config entries in the
/// environment. Errors carry git's stderr with every credential scrubbed.
public struct GitRepositoryMirror: Sendable {
    /// Where the bare mirrors live (`<directory>/<project>.git`).
    public var directory: String
    /// The git executable (looked up on `PATH` when relative).
    public var git: String
    public var fetchTimeout: Duration
    public var checkoutTimeout: Duration
    public var logger: Logger

    private let locks = KeyedLock()

    public init(directory: String, git: String = "git", fetchTimeout: Duration = .seconds(600), checkoutTimeout: Duration = .seconds(300),
                logger: Logger = Logger(label: "slipway.git")) {
        self.directory = directory
        self.git = git
        self.fetchTimeout = fetchTimeout
        self.checkoutTimeout = checkoutTimeout
        self.logger = logger
    }

    /// The bare mirror's path for `project` (`group/sub/app` → `<directory>/group%2Fsub%2Fapp.git`):
    /// one flat, reversible file name per project, whatever characters its path holds.
    public func mirrorPath(for project: String) -> String {
        var name = ""
        for byte in project.utf8 {
            let c = Character(UnicodeScalar(byte))
            if c.isASCII && (c.isLetter || c.isNumber || c == "-" || c == "_") || (c == "." && !name.isEmpty) {
                name.append(c)
            } else {
                name += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return "\(self.directory)/\(name).git"
    }

    /// Makes `sha` present in the project's mirror, fetching from `url` only if it is missing:
    /// first the commit itself, and if the server refuses to serve a bare sha, `ref` (which
    /// must then contain it). The commit stays reachable from `refs/slipway/commits/<sha>`.
    /// - Throws: ``GitLabError`` `gitFailed` (with git's scrubbed stderr) or `gitTimedOut`.
    public func fetch(project: String, url: String, ref: String?, sha: String, credentials: GitCredentials?) async throws {
        try Self.validate(sha: sha)
        if let ref { try Self.validate(ref: ref) }
        guard !url.hasPrefix("-") else { throw GitLabError(.gitFailed, "clone URL \(Self.scrub(url, secrets: [])) is not a URL") }
        let mirror = self.mirrorPath(for: project)
        await self.locks.lock(mirror)
        do {
            try await self.fetchLocked(mirror: mirror, url: url, ref: ref, sha: sha, credentials: credentials)
            await self.locks.unlock(mirror)
        } catch {
            await self.locks.unlock(mirror)
            throw error
        }
    }

    private func fetchLocked(mirror: String, url: String, ref: String?, sha: String, credentials: GitCredentials?) async throws {
        if !FileManager.default.fileExists(atPath: mirror + "/HEAD") {
            try FileManager.default.createDirectory(atPath: self.directory, withIntermediateDirectories: true)
            try await self.run(["init", "--bare", "--quiet", mirror], timeout: self.checkoutTimeout)
        }
        if try await self.hasCommit(sha, in: mirror) { return }
        let keep = "refs/slipway/commits/\(sha)"
        let started = ContinuousClock.now
        // `--no-tags`: tags would pull in unrelated history; `--no-write-fetch-head`: nothing
        // else reads it, and concurrent checkouts should not see it change.
        let fetchOptions = ["--git-dir", mirror, "fetch", "--quiet", "--no-tags", "--no-write-fetch-head"]
        do {
            try await self.run(fetchOptions + [url, "+\(sha):\(keep)"], timeout: self.fetchTimeout, credentials: credentials, url: url)
        } catch let error as GitLabError where error.code == .gitFailed && ref != nil {
            // Some servers refuse a bare sha (uploadpack.allowReachableSHA1InWant off with
            // protocol v0); fetch the ref instead and check it still contains the commit.
            self.logger.debug("fetching the sha failed, fetching the ref", metadata: ["error": "\(error.message)"])
            let refDestination = "refs/slipway/refs/" + ref!.dropFirst("refs/".count)
            try await self.run(fetchOptions + [url, "+\(ref!):\(refDestination)"], timeout: self.fetchTimeout, credentials: credentials, url: url)
            guard try await self.hasCommit(sha, in: mirror) else {
                let source = Self.scrub(url, secrets: credentials?.secrets ?? [])
                throw GitLabError(.gitFailed,
                                  "commit \(sha) is not on \(ref!) of \(source) any more (force-pushed away?); push again to build the new head")
            }
            try await self.run(["--git-dir", mirror, "update-ref", keep, sha], timeout: self.checkoutTimeout)
        }
        self.logger.info("fetched commit", metadata: [
            "mirror": "\(mirror)", "sha": "\(sha)", "seconds": "\(started.duration(to: .now))",
        ])
    }

    /// Checks `sha` out into `workspace` (an existing, empty directory) as a repository of its
    /// own holding just that commit (depth 1), so `git` commands in the job work even though
    /// the mirror is not mounted into its containers. `HEAD` is detached at `sha`, as GitLab
    /// Runner leaves it.
    public func checkout(project: String, sha: String, into workspace: String) async throws {
        try Self.validate(sha: sha)
        let mirror = self.mirrorPath(for: project)
        guard try await self.hasCommit(sha, in: mirror) else {
            throw GitLabError(.gitFailed, "commit \(sha) is not in the mirror of \(project); fetch it first")
        }
        try await self.run(["init", "--quiet", workspace], timeout: self.checkoutTimeout)
        // A shallow fetch over file:// (a plain path would ignore --depth): a few objects, not
        // the project's whole history.
        // git percent-decodes file:// URLs, and mirror names hold %2F: encode the % itself.
        let mirrorURL = "file://" + mirror.replacing("%", with: "%25")
        try await self.run(["-C", workspace, "fetch", "--quiet", "--no-tags", "--depth", "1", mirrorURL, sha],
                           timeout: self.checkoutTimeout)
        try await self.run(["-C", workspace, "checkout", "--quiet", "--force", "--detach", sha], timeout: self.checkoutTimeout)
    }

    /// The full message of `sha` (tag pushes and new branches do not carry it in the webhook).
    public func commitMessage(project: String, sha: String) async throws -> String {
        try Self.validate(sha: sha)
        let output = try await self.run(["--git-dir", self.mirrorPath(for: project), "log", "-1", "--format=%B", sha],
                                        timeout: self.checkoutTimeout)
        var message = String(decoding: output.stdout, as: UTF8.self)
        while message.hasSuffix("\n") { message.removeLast() }
        return message
    }

    /// The contents of `path` at commit `sha` of the project's mirror (`.gitlab-ci.yml`), or
    /// `nil` when the commit has no such file.
    public func file(project: String, sha: String, path: String) async throws -> String? {
        try Self.validate(sha: sha)
        guard !path.hasPrefix("-"), !path.contains("\n") else { throw GitLabError(.gitFailed, "\(path.prefix(200)) is not a file path") }
        let mirror = self.mirrorPath(for: project)
        // `cat-file -e` first: a missing file is an answer, not an error.
        let exists = try await GitProcess.run(self.git, ["--git-dir", mirror, "cat-file", "-e", "\(sha):\(path)"],
                                              environment: Self.environment(config: []), timeout: self.checkoutTimeout)
        guard exists.status == 0 else { return nil }
        let output = try await self.run(["--git-dir", mirror, "cat-file", "blob", "\(sha):\(path)"], timeout: self.checkoutTimeout)
        return String(decoding: output.stdout, as: UTF8.self)
    }

    /// The commit `ref` points at on the server (`git ls-remote`), for pipelines started for a
    /// ref rather than a commit.
    /// - Throws: ``GitLabError`` `gitFailed` when the server has no such ref.
    public func resolve(ref: String, url: String, credentials: GitCredentials?) async throws -> String {
        try Self.validate(ref: ref)
        guard !url.hasPrefix("-") else { throw GitLabError(.gitFailed, "clone URL \(Self.scrub(url, secrets: [])) is not a URL") }
        let output = try await self.run(["ls-remote", "--quiet", url, ref], timeout: self.fetchTimeout, credentials: credentials, url: url)
        for line in String(decoding: output.stdout, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: "\t")
            if fields.count == 2, fields[1] == ref { return String(fields[0]) }
        }
        throw GitLabError(.gitFailed, "\(ref) does not exist in \(Self.scrub(url, secrets: credentials?.secrets ?? [])); push it first or name an existing ref")
    }

    // MARK: - Running git

    private func hasCommit(_ sha: String, in mirror: String) async throws -> Bool {
        let output = try await GitProcess.run(self.git, ["--git-dir", mirror, "cat-file", "-e", "\(sha)^{commit}"],
                                              environment: Self.environment(config: []), timeout: self.checkoutTimeout)
        return output.status == 0
    }

    @discardableResult
    private func run(_ arguments: [String], timeout: Duration, credentials: GitCredentials? = nil, url: String? = nil) async throws -> GitProcess.Output {
        let config = url.flatMap { url in credentials?.configEntries(for: url) } ?? []
        let secrets = credentials?.secrets ?? []
        let output = try await GitProcess.run(self.git, arguments, environment: Self.environment(config: config), timeout: timeout)
        let command = Self.describe(arguments)
        if output.timedOut {
            throw GitLabError(.gitTimedOut, "\(command) did not finish within \(timeout) and was killed; check that the git server answers, or raise the timeout")
        }
        guard output.status == 0 else {
            let stderr = Self.scrub(String(decoding: output.stderr, as: UTF8.self), secrets: secrets).trimmingASCIIWhitespace()
            throw GitLabError(.gitFailed, "\(command) failed with exit status \(output.status): \(stderr.isEmpty ? "(no output)" : stderr)")
        }
        return output
    }

    /// `git <subcommand>` for messages: the paths after `--git-dir`/`-C` and the URL say
    /// nothing the caller does not know, and the URL could carry user-info.
    static func describe(_ arguments: [String]) -> String {
        var index = 0
        while index < arguments.count, arguments[index] == "--git-dir" || arguments[index] == "-C" { index += 2 }
        return index < arguments.count ? "git \(arguments[index])" : "git"
    }

    /// The whole environment git runs with. Nothing is inherited but `PATH` and `HOME`: the
    /// host's git config (credential helpers, `url.insteadOf`) must not change what slipway
    /// fetches, and the token must not reach anything but git.
    static func environment(config: [(key: String, value: String)]) -> [String: String] {
        let inherited = ProcessEnvironment.current
        let fixed: [(key: String, value: String)] = [
            (key: "init.defaultBranch", value: "main"),  // silences git init's hint
            (key: "advice.detachedHead", value: "false"),
            (key: "gc.auto", value: "0"),  // no background gc racing the next fetch
        ]
        var environment = [
            "PATH": inherited["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
            "HOME": inherited["HOME"] ?? "/",
            "LC_ALL": "C",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": "/dev/null",
            "GIT_TERMINAL_PROMPT": "0",
            // No askpass either: with a wrong token, fail instead of waiting for a password.
            "GIT_ASKPASS": "/bin/false",
            "SSH_ASKPASS": "/bin/false",
            "GIT_ALLOW_PROTOCOL": "file:http:https:ssh:git",
        ]
        let entries = fixed + config
        environment["GIT_CONFIG_COUNT"] = String(entries.count)
        for (index, entry) in entries.enumerated() {
            environment["GIT_CONFIG_KEY_\(index)"] = entry.key
            environment["GIT_CONFIG_VALUE_\(index)"] = entry.value
        }
        return environment
    }

    /// `text` with every secret and any URL user-info (`https://user:pass@`) replaced by `***`.
    static func scrub(_ text: String, secrets: [String]) -> String {
        var result = text
        for secret in secrets where !secret.isEmpty {
            result = result.replacing(secret, with: "***")
        }
        // user-info in URLs: "scheme://anything-without-slash-or-space@" → "scheme://***@".
        var output = ""
        var rest = Substring(result)
        while let range = rest.firstRange(of: "://") {
            output += rest[..<range.upperBound]
            rest = rest[range.upperBound...]
            let authority = rest.prefix { $0 != "/" && $0 != " " && $0 != "\n" && $0 != "'" && $0 != "\"" }
            if let at = authority.lastIndex(of: "@") {
                output += "***"
                rest = rest[at...]
            }
        }
        return output + rest
    }

    static func validate(sha: String) throws {
        guard sha.count == 40 || sha.count == 64, sha.allSatisfy(\.isHexDigit) else {
            throw GitLabError(.gitFailed, "\(sha.prefix(80)) is not a full commit sha (40 or 64 hex digits)")
        }
    }

    static func validate(ref: String) throws {
        let forbidden: Set<Character> = [" ", "\t", "\n", "~", "^", ":", "?", "*", "[", "\\"]
        guard ref.hasPrefix("refs/"), !ref.contains(".."), !ref.contains(where: { forbidden.contains($0) || $0.isASCII && $0.asciiValue! < 32 }) else {
            throw GitLabError(.gitFailed, "\(ref.prefix(200)) is not a valid full ref name (refs/heads/… or refs/tags/…)")
        }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - self.count)) + self
    }
}
