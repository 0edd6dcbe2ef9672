// slipway — API
// SPDX-License-Identifier: Apache-2.0

/// What a token may do. Scopes nest: `admin` includes `submit`, which includes `read` (a script
/// that submits a job also polls it).
public enum APIScope: String, Sendable, Hashable, CaseIterable, Comparable {
    /// Read jobs, logs, pipelines, events, workers and metrics.
    case read
    /// Also submit, retry and cancel jobs.
    case submit
    /// Also cancel whole pipelines.
    case admin

    private var rank: Int {
        switch self {
        case .read: 0
        case .submit: 1
        case .admin: 2
        }
    }

    public static func < (lhs: APIScope, rhs: APIScope) -> Bool { lhs.rank < rhs.rank }

    /// Whether holding `self` allows what `required` guards.
    public func grants(_ required: APIScope) -> Bool { required <= self }
}
