// slipway — CommitStatus
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials

/// One update in the outbox, with its delivery history.
public struct CommitStatusOutboxEntry: Sendable, Hashable {
    /// Where an entry stands.
    public enum Outcome: String, Sendable, Hashable {
        /// Not yet delivered; tried ``CommitStatusOutboxEntry/attempts`` times.
        case waiting
        /// GitLab took it.
        case delivered
        /// GitLab already had the state (`Cannot transition status`).
        case alreadyThere = "already_there"
        /// Given up (too old, or refused for good); ``CommitStatusOutboxEntry/lastError`` says why.
        case gaveUp = "gave_up"

        /// Whether the entry is finished, so the next one of its stream may go.
        public var isFinal: Bool { self != .waiting }
    }

    /// Increasing in enqueue order: within a stream, lower ids go first.
    public var id: Int64
    public var update: CommitStatusUpdate
    public var enqueuedAt: Date
    public var attempts: Int
    /// When it may be tried (again).
    public var nextAttemptAt: Date
    public var outcome: Outcome
    /// Why the last attempt failed, or why it was given up.
    public var lastError: String?
    /// GitLab's pipeline learnt from an earlier status of the same project, commit and ref,
    /// sent when the target names none.
    public var learnedPipelineID: Int64?
    /// When it was delivered or given up.
    public var finishedAt: Date?

    public init(id: Int64, update: CommitStatusUpdate, enqueuedAt: Date, attempts: Int = 0, nextAttemptAt: Date, outcome: Outcome = .waiting,
                lastError: String? = nil, learnedPipelineID: Int64? = nil, finishedAt: Date? = nil) {
        self.id = id
        self.update = update
        self.enqueuedAt = enqueuedAt
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.outcome = outcome
        self.lastError = lastError
        self.learnedPipelineID = learnedPipelineID
        self.finishedAt = finishedAt
    }
}
