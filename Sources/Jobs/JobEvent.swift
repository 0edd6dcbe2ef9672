// slipway — Jobs
// SPDX-License-Identifier: Apache-2.0

/// Something that happens to a job; the state machine decides whether it is allowed.
public enum JobEvent: Sendable, Hashable {
    /// The job becomes eligible to run.
    case enqueue
    /// Its container started.
    case start
    /// The script exited with status 0.
    case succeed
    /// The job failed, with the exit code when a script ran.
    case fail(FailureReason, exitCode: Int32?)
    /// Canceled (by a user or superseded) before it finished.
    case cancel(FailureReason)
    /// It will not run.
    case skip
    /// An infrastructure problem before the container started: back to the queue.
    case requeue
}

/// A transition the state machine refuses, e.g. starting a finished job.
public struct IllegalTransition: Error, Sendable, Hashable, CustomStringConvertible {
    public var from: JobStatus
    public var event: JobEvent

    public init(from: JobStatus, event: JobEvent) {
        self.from = from
        self.event = event
    }

    public var description: String { "a \(self.from) job cannot \(self.event)" }
}

extension JobStatus {
    /// The status after `event`, or an error when the event is not allowed in this status.
    ///
    ///     created ─enqueue→ pending ─start→ running ─succeed→ success
    ///        │                 │  ↑requeue     ├─fail→ failed
    ///        ├─skip→ skipped   ├─fail→ failed  └─cancel→ canceled
    ///        └─cancel→ canceled└─cancel→ canceled, ─skip→ skipped
    ///
    /// Finished statuses are final; a retry is a new job.
    public func applying(_ event: JobEvent) -> Result<JobStatus, IllegalTransition> {
        switch (self, event) {
        case (.created, .enqueue): .success(.pending)
        case (.created, .skip), (.pending, .skip): .success(.skipped)
        case (.created, .cancel), (.pending, .cancel), (.running, .cancel): .success(.canceled)
        case (.created, .fail), (.pending, .fail), (.running, .fail): .success(.failed)
        case (.pending, .start): .success(.running)
        case (.pending, .requeue): .success(.pending)
        case (.running, .succeed): .success(.success)
        default: .failure(IllegalTransition(from: self, event: event))
        }
    }
}
