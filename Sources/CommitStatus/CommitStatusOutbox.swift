// slipway — CommitStatus
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials

/// Durable storage for commit statuses on their way to GitLab (the Store implements it on
/// SQLite).
///
/// Entries form streams (``CommitStatusTarget/streamKey``): only the oldest unfinished entry
/// of a stream is ever due, so a job's states reach GitLab in the order they happened, and a
/// later state waits until the earlier one is delivered or given up. Everything is durable
/// once a call returns, so a restart resumes where the last run stopped.
public protocol CommitStatusOutbox: Sendable {
    /// Stores `update` as the newest entry of its stream.
    ///
    /// - Returns: the entry; `nil` when the stream's newest entry already has the same state
    ///   (a job going from `created` to `pending` reads as `pending` twice, and GitLab answers
    ///   a repeated state with 400).
    func enqueue(_ update: CommitStatusUpdate, at time: Date) async throws -> CommitStatusOutboxEntry?

    /// The oldest unfinished entry of each stream whose next attempt is due at `time`, soonest
    /// first, at most `limit`.
    func due(at time: Date, limit: Int) async throws -> [CommitStatusOutboxEntry]

    /// When the next entry falls due (the earliest next attempt among the streams' oldest
    /// unfinished entries); `nil` when nothing waits.
    func nextAttemptTime() async throws -> Date?

    /// Records that GitLab took entry `id` (``CommitStatusOutboxEntry/Outcome/delivered`` or
    /// ``CommitStatusOutboxEntry/Outcome/alreadyThere``); `pipelineID`, GitLab's pipeline for
    /// it, is remembered for later statuses of the same project, commit and ref.
    func markDelivered(_ id: Int64, outcome: CommitStatusOutboxEntry.Outcome, pipelineID: Int64?, at time: Date) async throws

    /// Records a failed attempt of entry `id`: tried again at `nextAttempt`.
    func markFailed(_ id: Int64, error: String, nextAttempt: Date) async throws

    /// Records that entry `id` was given up for `reason`; `attempted` says whether this
    /// follows an attempt (a refusal) or none was made (too old to send).
    func markGivenUp(_ id: Int64, reason: String, attempted: Bool, at time: Date) async throws

    /// Every entry of `target`'s stream, oldest first (for tests and diagnostics).
    func entries(for target: CommitStatusTarget) async throws -> [CommitStatusOutboxEntry]
}
