// slipway — CommitStatus
// SPDX-License-Identifier: Apache-2.0

import Jobs

/// A commit status state as GitLab's `POST /projects/:id/statuses/:sha` accepts it.
///
/// GitLab's words, not GitHub's: `failed`, not `failure` or `error` (anything else is
/// `400 invalid state`).
public enum CommitState: String, Sendable, Hashable, CaseIterable, Codable {
    case pending
    case running
    case success
    case failed
    case canceled
    case skipped

    /// The state GitLab shows for a job in `status`.
    ///
    /// `created` and `pending` both read as `pending` (queued); a requeued job goes back to
    /// `pending` too, which GitLab may refuse after `running` (see ``DeliveryVerdict``).
    public init(_ status: JobStatus) {
        switch status {
        case .created, .pending: self = .pending
        case .running: self = .running
        case .success: self = .success
        case .failed: self = .failed
        case .canceled: self = .canceled
        case .skipped: self = .skipped
        }
    }

    /// Whether GitLab treats the status as finished: a later state for the same name starts a
    /// new status rather than moving this one.
    public var isFinished: Bool {
        switch self {
        case .success, .failed, .canceled, .skipped: true
        case .pending, .running: false
        }
    }
}
