// slipway — Jobs
// SPDX-License-Identifier: Apache-2.0

/// Every change of a job, in the order it was committed, for the parts that must hear of it
/// (the event hub, the commit-status reporter, the pipeline runner): one ordered stream
/// instead of a callback per part, so no part sees a later change before an earlier one.
public final class JobChanges: Sendable {
    public let stream: AsyncStream<Job>
    private let continuation: AsyncStream<Job>.Continuation

    public init() {
        (self.stream, self.continuation) = AsyncStream.makeStream(of: Job.self, bufferingPolicy: .unbounded)
    }

    /// Publishes a committed change; never blocks.
    public func publish(_ job: Job) {
        self.continuation.yield(job)
    }

    /// Ends the stream once what was published has been read.
    public func finish() {
        self.continuation.finish()
    }
}
