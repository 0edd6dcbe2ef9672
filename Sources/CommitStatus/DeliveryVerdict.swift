// slipway — CommitStatus
// SPDX-License-Identifier: Apache-2.0

/// What to do with an outbox entry after an attempt to post it.
public enum DeliveryVerdict: Sendable, Hashable {
    /// GitLab took the status (2xx). `pipelineID` is the pipeline it attached it to, which
    /// later statuses of the same commit and ref should name.
    case delivered(pipelineID: Int64?)
    /// GitLab answered `400 Cannot transition status … from :<state>` for the state we sent:
    /// it already has it (a repeat after a lost answer). Done, as if delivered.
    case alreadyThere
    /// Worth trying again: a timeout, a refused connection, 408, 409, 429 or 5xx. `after` is
    /// the server's `Retry-After`, when it sent one.
    case retry(after: Duration?, reason: String)
    /// Trying again will not help until someone changes something; `reason` says what.
    case giveUp(reason: String)
}
