// slipway — CommitStatus
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials

/// When to try an outbox entry again, and when to stop.
///
/// Delays grow exponentially from ``initialDelay`` by ``multiplier`` up to ``maximumDelay``,
/// with "equal jitter": a random part of each delay (``jitter``, a fraction) is taken away, so
/// statuses that failed together (GitLab was down) do not all come back in the same second.
/// A server's `Retry-After` replaces the computed delay: GitLab knows when it will take
/// requests again, and asking earlier only earns another 429.
///
/// An entry is given up once it is ``giveUpAfter`` old (`status.give_up_after`): a status
/// that old misleads more than it helps, and later states of the same job then go out.
public struct RetryPolicy: Sendable, Hashable {
    /// The delay after the first failed attempt, before jitter.
    public var initialDelay: Duration = .seconds(2)
    /// Each further failure multiplies the delay by this.
    public var multiplier: Double = 2
    /// The longest computed delay.
    public var maximumDelay: Duration = .seconds(600)
    /// The fraction of a delay that is random, from 0 (none) to 1 (anything from zero).
    public var jitter: Double = 0.5
    /// The most a `Retry-After` may ask for; longer asks are cut to this.
    public var maximumRetryAfter: Duration = .seconds(3600)
    /// The age at which an entry is given up.
    public var giveUpAfter: Duration = .seconds(24 * 3600)

    public init() {}

    /// What to do after a failed attempt.
    public enum Decision: Sendable, Hashable {
        /// Try again at this time.
        case retry(at: Date)
        /// Stop: the entry would be past ``RetryPolicy/giveUpAfter`` before the next attempt.
        case giveUp
    }

    /// The delay after failed attempt number `attempt` (1 for the first), before any
    /// `Retry-After`.
    /// - Parameter random: a number in `0..<1` (injected, so tests can pin it).
    public func backoff(afterAttempt attempt: Int, random: Double) -> Duration {
        let maximum = Self.seconds(self.maximumDelay)
        var raw = Self.seconds(self.initialDelay)
        // Multiplied step by step and capped on the way: 2^attempt overflows nothing this way.
        for _ in 1..<max(1, attempt) where raw < maximum { raw *= self.multiplier }
        raw = min(raw, maximum)
        let jitter = min(max(self.jitter, 0), 1)
        let seconds = raw * (1 - jitter * min(max(random, 0), 1))
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// Decides the next attempt after failed attempt number `attempt` of an entry made at
    /// `enqueuedAt`.
    /// - Parameters:
    ///   - retryAfter: the server's `Retry-After`, which replaces the backoff.
    ///   - random: a number in `0..<1`.
    public func decide(afterAttempt attempt: Int, enqueuedAt: Date, now: Date, retryAfter: Duration?, random: Double) -> Decision {
        let delay = retryAfter.map { min($0, self.maximumRetryAfter) } ?? self.backoff(afterAttempt: attempt, random: random)
        let next = now.addingTimeInterval(Self.seconds(delay))
        if next >= self.deadline(enqueuedAt: enqueuedAt) { return .giveUp }
        return .retry(at: next)
    }

    /// Whether an entry made at `enqueuedAt` is too old to send at `now` (after a long outage
    /// or a restart).
    public func isExpired(enqueuedAt: Date, now: Date) -> Bool {
        now >= self.deadline(enqueuedAt: enqueuedAt)
    }

    /// When an entry made at `enqueuedAt` is given up.
    public func deadline(enqueuedAt: Date) -> Date {
        enqueuedAt.addingTimeInterval(Self.seconds(self.giveUpAfter))
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
