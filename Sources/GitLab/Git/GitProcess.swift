// slipway — GitLab
// SPDX-License-Identifier: Apache-2.0

import Processes

/// Runs one `git` command as a child process (``ChildProcess``): off Swift's cooperative pool,
/// in a process group of its own, so a timeout or a cancelled task kills git together with the
/// helpers it started (`git-remote-https`, `upload-pack`), and killed if slipway dies.
enum GitProcess {
    struct Output: Sendable {
        var status: Int32
        var stdout: [UInt8]
        var stderr: [UInt8]
        var timedOut: Bool
    }

    /// Bytes kept of each stream; git's useful output (a sha, a message, an error) is small.
    static let outputLimit = 1 << 20

    /// Runs `executable` (looked up on `environment`'s `PATH` when relative) with `arguments`
    /// and exactly `environment`, killing it after `timeout` or when the calling task is
    /// cancelled (then this throws `CancellationError`).
    static func run(_ executable: String, _ arguments: [String], environment: [String: String], timeout: Duration) async throws -> Output {
        let configuration = ChildProcessConfiguration(
            executable: executable, arguments: arguments, environment: environment,
            standardOutput: .capture(limit: Self.outputLimit), standardError: .capture(limit: Self.outputLimit),
            timeout: timeout)
        let outcome: ChildProcessOutcome
        do {
            outcome = try await ChildProcess.run(configuration)
        } catch {
            let hint = error.code == .notFound ? "; install git (apt-get install git)" : ""
            throw GitLabError(.gitFailed, "could not run \(executable): \(error)\(hint)")
        }
        try Task.checkCancellation()
        return Output(status: outcome.termination.status, stdout: outcome.standardOutput,
                      stderr: outcome.standardError, timedOut: outcome.timedOut)
    }
}
