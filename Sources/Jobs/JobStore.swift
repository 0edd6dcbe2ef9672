// slipway — Jobs
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials

/// Where jobs are kept. Implementations are durable: when a call returns, its change survives a
/// crash (a submitter is acknowledged only after `insert` returns).
public protocol JobStore: Sendable {
    /// Records a new job in status `status` (`pending` for direct submissions).
    func insert(_ specification: JobSpecification, status: JobStatus, at time: Date) async throws -> Job

    /// The job with `id`, or `nil`.
    func job(_ id: JobID) async throws -> Job?

    /// Applies `event` to job `id` atomically (read, transition, write in one transaction) and
    /// returns the updated job; throws ``IllegalTransition`` when the event is not allowed.
    func apply(_ event: JobEvent, to id: JobID, at time: Date) async throws -> Job

    /// Remembers the container running job `id`.
    func setContainer(_ containerID: String?, for id: JobID) async throws

    /// Jobs in any of `statuses`, oldest first.
    func jobs(withStatus statuses: Set<JobStatus>) async throws -> [Job]
}

/// The output of jobs, appended as it arrives and readable while the job runs.
public protocol LogStore: Sendable {
    /// Appends output to job `id`'s log. Calls for one job are applied in order.
    func append(_ bytes: [UInt8], to id: JobID) async
    /// Appends a line written by slipway itself (e.g. why a job failed).
    func appendNote(_ text: String, to id: JobID) async
    /// Bytes of output appended to job `id`'s log so far (including any dropped past its cap),
    /// so a resumed container's output can continue without repeating itself.
    func outputBytes(of id: JobID) async -> Int
    /// Marks the log complete: followers stop after reading what is there.
    func finish(_ id: JobID) async

    /// Up to `maximum` bytes of job `id`'s log from byte `offset`; empty at the current end.
    func read(_ id: JobID, from offset: Int, maximum: Int) async throws -> LogChunk

    /// Whether the log was finished in this process (`nil`: unknown, e.g. after a restart).
    func isFinished(_ id: JobID) -> Bool?

    /// Suspends until job `id`'s log grows past `offset`, is finished, or `timeout` passes.
    func waitForAppend(to id: JobID, after offset: Int, timeout: Duration) async

    /// When the log's bytes were written: an entry wherever the wall clock's second changed
    /// between two appends, oldest first (a log viewer's per-line timestamps).
    func times(of id: JobID) async throws -> [LogTime]
}

/// The bytes of a log from `offset` on were written at `unixMilliseconds` (until the next
/// entry's offset).
public struct LogTime: Sendable, Hashable {
    public var offset: Int
    public var unixMilliseconds: Int64

    public init(offset: Int, unixMilliseconds: Int64) {
        self.offset = offset
        self.unixMilliseconds = unixMilliseconds
    }
}

/// A piece of a job log.
public struct LogChunk: Sendable, Hashable {
    public var bytes: [UInt8]
    /// The offset just past `bytes`, to continue from.
    public var nextOffset: Int

    public init(bytes: [UInt8], nextOffset: Int) {
        self.bytes = bytes
        self.nextOffset = nextOffset
    }
}
