// slipway — commit status tests
// SPDX-License-Identifier: Apache-2.0

import Application
import CommitStatus
import Foundation
import Jobs
import Logging
import Store
import TLS
import TestSupport

/// A reporter on a store in a temporary directory, posting to a ``FakeGitLab``; it can be
/// stopped and started again on the same database, as a restart would.
final class ReporterHarness: @unchecked Sendable {
    // @unchecked: `store`, `outbox` and `reporter` change only in `restart`, which tests call
    // from one task while nothing else uses them.
    static let token = "glpat-Sup3rSecretTok3n"
    static let publicURL = "https://slipway.example.com"

    let directory: String
    let logs = LogCapture()
    let configuration: CommitStatusReporter.Configuration
    let targets: [JobID: CommitStatusTarget]
    private(set) var store: SQLiteJobStore
    private(set) var outbox: SQLiteCommitStatusOutbox
    private(set) var reporter: CommitStatusReporter

    /// Retries fast (50 ms, then 100 ms, 200 ms at most), without jitter, so tests see a retry's
    /// timing and a `Retry-After` stands out against the backoff.
    static func configuration(trust: TLSConfiguration, giveUpAfter: Duration = .seconds(60)) -> CommitStatusReporter.Configuration {
        var configuration = CommitStatusReporter.Configuration()
        configuration.credentials = CommitStatusCredentials(globalToken: GitLabToken(Self.token))
        configuration.publicURL = Self.publicURL
        configuration.tls = trust
        configuration.retry.initialDelay = .milliseconds(50)
        configuration.retry.maximumDelay = .milliseconds(200)
        configuration.retry.jitter = 0
        configuration.retry.giveUpAfter = giveUpAfter
        configuration.requestTimeout = .seconds(5)
        return configuration
    }

    init(configuration: CommitStatusReporter.Configuration, targets: [JobID: CommitStatusTarget] = [:]) async throws {
        self.directory = try temporaryDirectory()
        self.configuration = configuration
        self.targets = targets
        self.store = try await SQLiteJobStore.open(path: "\(self.directory)/slipway.db")
        self.outbox = SQLiteCommitStatusOutbox(store: self.store)
        self.reporter = Self.makeReporter(outbox: self.outbox, configuration: configuration, logs: self.logs, targets: targets)
        self.reporter.start()
    }

    private static func makeReporter(outbox: SQLiteCommitStatusOutbox, configuration: CommitStatusReporter.Configuration, logs: LogCapture, targets: [JobID: CommitStatusTarget]) -> CommitStatusReporter {
        CommitStatusReporter(outbox: outbox, configuration: configuration, group: sharedTestGroup, logger: logs.logger, targetFor: { targets[$0.id] })
    }

    /// Stops the reporter and closes the store, then opens both again.
    func restart(between: () async throws -> Void = {}) async throws {
        await self.reporter.stop()
        await self.store.close()
        try await between()
        self.store = try await SQLiteJobStore.open(path: "\(self.directory)/slipway.db")
        self.outbox = SQLiteCommitStatusOutbox(store: self.store)
        self.reporter = Self.makeReporter(outbox: self.outbox, configuration: self.configuration, logs: self.logs, targets: self.targets)
        self.reporter.start()
    }

    /// Runs `body` with a started harness and shuts it down on every path, awaiting it.
    static func with<T>(configuration: CommitStatusReporter.Configuration, targets: [JobID: CommitStatusTarget] = [:],
                        _ body: (ReporterHarness) async throws -> T) async throws -> T {
        let harness = try await ReporterHarness(configuration: configuration, targets: targets)
        do {
            let result = try await body(harness)
            await harness.shutdown()
            return result
        } catch {
            await harness.shutdown()
            throw error
        }
    }

    func shutdown() async {
        await self.reporter.stop()
        await self.store.close()
        try? FileManager.default.removeItem(atPath: self.directory)
    }

    /// Waits until every entry of `target`'s stream is finished; returns them.
    @discardableResult
    func waitUntilFinished(_ target: CommitStatusTarget, count: Int, timeout: Duration = .seconds(60)) async throws -> [CommitStatusOutboxEntry] {
        var entries: [CommitStatusOutboxEntry] = []
        do {
            try await waitUntil("the stream finished", timeout: timeout, interval: .milliseconds(25)) {
                entries = try await self.outbox.entries(for: target)
                return entries.count >= count && entries.allSatisfy(\.outcome.isFinal)
            }
        } catch is WaitTimedOut {
            throw ProcessRunnerError(message: "timed out: \(entries.map { "\($0.update.state.rawValue)=\($0.outcome.rawValue) (\($0.lastError ?? ""))" })")
        }
        return entries
    }

    /// A job with `status`, as the scheduler's hook would hand it over.
    static func job(_ id: Int64, _ name: String, _ status: JobStatus) -> Job {
        Job(id: JobID(id), specification: JobSpecification(name: name, image: "busybox", script: ["true"]), status: status,
            exitCode: status == .success ? 0 : nil, createdAt: Date())
    }

    static func target(_ gitlab: FakeGitLab, name: String, project: String = "42", sha: String = CommitStatusUnitTests.sha) -> CommitStatusTarget {
        CommitStatusTarget(gitlabURL: gitlab.url, projectID: project, sha: sha, ref: "main", name: name)
    }
}
