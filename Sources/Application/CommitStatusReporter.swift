// slipway — Application
// SPDX-License-Identifier: Apache-2.0

import CommitStatus
import FoundationEssentials
import HTTP
import Jobs
import Logging
import Sockets
import Synchronization
import TLS

/// Reports jobs' statuses to GitLab through the durable outbox: the service that
/// ``SlipwayApplication`` starts and stops.
///
/// Statuses come in two ways:
/// - ``enqueue(_:)`` stores one update and returns once it is durable;
/// - ``jobChanged(_:)``, the scheduler's `onChange` hook, reports every status change of a
///   job for which `targetFor` names a ``CommitStatusTarget`` (jobs from GitLab), in the
///   order the changes happened.
///
/// A delivery loop posts due entries (``CommitStatusOutbox/due(at:limit:)``: one per stream,
/// so a job's states go out in order), sorts GitLab's answers with
/// ``DeliveryVerdict/classify(status:retryAfter:body:for:now:)`` and records the outcome. It
/// sleeps until the next retry is due or a new status arrives. After a restart it resumes
/// with whatever the outbox still holds.
///
/// ```swift
/// let target = CommitStatusTarget(gitlabURL: "https://gitlab.example.com", projectID: "42",
///                                 sha: sha, ref: "main", name: job.name)
/// try await reporter.enqueue(CommitStatusUpdate(job: job, target: target, publicURL: publicURL))
/// ```
/// The access token is read from the configuration for each delivery and goes into the
/// `PRIVATE-TOKEN` header only: never into the outbox, a log line or an error.
public final class CommitStatusReporter: Sendable {
    /// How statuses are posted.
    public struct Configuration: Sendable {
        /// The tokens, global and per project.
        public var credentials = CommitStatusCredentials()
        /// `public_url`: statuses link to the job page `{public_url}/jobs/{id}`.
        public var publicURL: String?
        /// Trust for GitLab's certificate (`gitlab.ca_file`, else the system store).
        public var tls = TLSConfiguration()
        /// Backoff, jitter and give-up age (`status.*`).
        public var retry = RetryPolicy()
        /// Time for one POST: connecting, TLS, sending, and GitLab's answer.
        public var requestTimeout: Duration = .seconds(30)
        /// Entries posted at once (each from a different stream).
        public var concurrency = 8
        /// The longest the loop sleeps without looking at the outbox (a safety net; new
        /// statuses wake it at once).
        public var idlePoll: Duration = .seconds(60)

        public init() {}
    }

    let outbox: any CommitStatusOutbox
    let configuration: Configuration
    let logger: Logger
    let group: EventLoopGroup
    let targetFor: @Sendable (Job) async -> CommitStatusTarget?
    let random: @Sendable () -> Double
    let now: @Sendable () -> Date
    let doorbell = Doorbell()
    /// An HTTPS client per GitLab origin, made on first use (each loads the trust store once).
    let clients = Mutex<[String: HTTPClient]>([:])
    /// Job changes in arrival order, enqueued by one task so their order is kept.
    private let changes: (stream: AsyncStream<Job>, continuation: AsyncStream<Job>.Continuation)
    private let tasks = Mutex<(ingest: Task<Void, Never>?, deliver: Task<Void, Never>?)>((nil, nil))

    /// - Parameters:
    ///   - targetFor: the status target of a job, `nil` for jobs that report nowhere (those
    ///     submitted through the API).
    ///   - random: numbers in `0..<1` for the jitter (tests pin it).
    ///   - now: the wall clock (outbox times survive restarts, so they are dates).
    public init(
        outbox: any CommitStatusOutbox,
        configuration: Configuration,
        group: EventLoopGroup,
        logger: Logger,
        targetFor: @escaping @Sendable (Job) async -> CommitStatusTarget? = { _ in nil },
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.outbox = outbox
        self.configuration = configuration
        self.group = group
        self.logger = logger
        self.targetFor = targetFor
        self.random = random
        self.now = now
        self.changes = AsyncStream.makeStream(of: Job.self)
    }

    // MARK: - Lifecycle

    /// Starts the delivery loop and the intake of job changes. Entries left by an earlier run
    /// are delivered first.
    public func start() {
        self.tasks.withLock { tasks in
            guard tasks.deliver == nil else { return }
            tasks.ingest = Task { await self.ingest() }
            tasks.deliver = Task { await self.deliverLoop() }
        }
    }

    /// Stores the job changes already received, then stops the delivery loop. A POST in
    /// flight is abandoned unrecorded: the entry stays due and goes out after the next start
    /// (GitLab treats a repeat as `Cannot transition status`, which counts as delivered).
    public func stop() async {
        self.changes.continuation.finish()
        let (ingest, deliver) = self.tasks.withLock { ($0.ingest, $0.deliver) }
        await ingest?.value
        deliver?.cancel()
        await deliver?.value
    }

    /// Makes the client for `gitlabURL` now, so that an unreadable `gitlab.ca_file` stops
    /// start-up instead of failing every delivery.
    /// - Throws: ``CommitStatusError`` for a URL that cannot be used, `HTTPClientError` with
    ///   code `tls` for a CA file that cannot be loaded.
    public func prepare(gitlabURL: String) async throws {
        let (origin, _) = try CommitStatusRequest.origin(of: gitlabURL)
        _ = try await self.client(for: origin)
    }

    // MARK: - Intake

    /// Stores `update` in the outbox and wakes the delivery loop.
    ///
    /// - Returns: the entry, durable once this returns; `nil` when the update repeats the
    ///   newest state of its stream.
    /// - Throws: ``CommitStatusError`` for a target that cannot be posted (checked now, not at
    ///   delivery), or the store's error.
    @discardableResult
    public func enqueue(_ update: CommitStatusUpdate) async throws -> CommitStatusOutboxEntry? {
        _ = try CommitStatusRequest(update)
        let entry = try await self.outbox.enqueue(update, at: self.now())
        if entry != nil { self.doorbell.ring() }
        return entry
    }

    /// Reports `job`'s current status to `target`: ``enqueue(_:)`` with the update
    /// ``CommitStatusUpdate/init(job:target:publicURL:)`` makes.
    @discardableResult
    public func report(_ job: Job, to target: CommitStatusTarget) async throws -> CommitStatusOutboxEntry? {
        try await self.enqueue(CommitStatusUpdate(job: job, target: target, publicURL: self.configuration.publicURL))
    }

    /// Reports the current status of the newest job of each stream among `jobs`, as
    /// ``report(_:to:)`` does, and returns how many statuses were queued.
    ///
    /// For start-up after a crash: a job's status change is committed before its commit
    /// status reaches the outbox, so a crash in between loses that status. The outbox keeps
    /// only what differs from a stream's newest state, so reporting again what was already
    /// queued adds nothing. Only the newest job of a stream (a commit's job of that name, in
    /// the newest pipeline or retry) counts: an older one's state would overwrite it.
    public func reportCurrentStatuses(of jobs: [Job]) async -> Int {
        var newest: [String: (job: Job, target: CommitStatusTarget)] = [:]
        for job in jobs {
            guard let target = await self.targetFor(job) else { continue }
            if let known = newest[target.streamKey], known.job.id.rawValue > job.id.rawValue { continue }
            newest[target.streamKey] = (job, target)
        }
        var queued = 0
        for (job, target) in newest.values.sorted(by: { $0.job.id.rawValue < $1.job.id.rawValue }) {
            if await self.queue(job, to: target) { queued += 1 }
        }
        return queued
    }

    /// The scheduler's `onChange` hook: queues `job`'s new status for its target, if it has
    /// one. Returns at once; changes are stored one after another, in the order they came.
    public func jobChanged(_ job: Job) {
        self.changes.continuation.yield(job)
    }

    private func ingest() async {
        for await job in self.changes.stream {
            // Looked up here, one change after another, so the order per job is kept.
            guard let target = await self.targetFor(job) else { continue }
            await self.queue(job, to: target)
        }
    }

    /// ``report(_:to:)``, logging a failure instead of throwing it; true when an entry was queued.
    @discardableResult
    private func queue(_ job: Job, to target: CommitStatusTarget) async -> Bool {
        do {
            return try await self.report(job, to: target) != nil
        } catch {
            self.logger.error("cannot queue the commit status of a job", metadata: [
                "job": "\(job.id)", "state": "\(CommitState(job.status).rawValue)", "error": "\(error)",
            ])
            return false
        }
    }
}
