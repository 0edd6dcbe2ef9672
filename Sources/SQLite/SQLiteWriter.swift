// slipway — SQLite
// SPDX-License-Identifier: Apache-2.0

import CSQLite
import Synchronization

#if canImport(Glibc)
import Glibc
#endif
import Threads

/// The writer thread of a ``SQLiteDatabase``: owns the only write connection and commits queued
/// writes in groups.
///
/// Group commit: the thread takes every write queued at that moment (at most `maxBatchSize`),
/// runs them in one `BEGIN IMMEDIATE` transaction, each inside its own `SAVEPOINT`, commits
/// once, and only then resumes the callers whose writes committed. Under `synchronous=FULL` a
/// commit costs one `fsync` of the WAL, so n concurrent writers pay for one `fsync` instead of
/// n, and the batch grows on its own as load grows: while one commit is syncing, the next
/// batch queues up.
///
/// - A write that throws is rolled back to its savepoint and fails alone; the others commit.
/// - No caller is resumed with success before the `COMMIT` that contains its write has
///   returned. A caller whose write failed is resumed as soon as it is rolled back.
/// - If SQLite rolls the whole transaction back (after `SQLITE_FULL`, `SQLITE_IOERR` or
///   `SQLITE_NOMEM`: https://www.sqlite.org/lang_transaction.html, "Response To Errors Within A
///   Transaction"), or a closure ends it with its own `COMMIT` or `ROLLBACK`, the writes before
///   it in the batch fail with that error (they were not committed) and the rest of the batch
///   runs in a new transaction.
final class SQLiteWriter: Sendable {
    private struct State {
        var queue = JobQueue()
        var isWaiting = false
        var isClosing = false
        var hasExited = false
        var exitWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    private let wake = ThreadSemaphore()
    let statistics = Mutex(SQLiteDatabase.Statistics())
    let maxBatchSize: Int
    let path: String
    /// Told of every commit before it is acknowledged, so that no later read reuses a snapshot
    /// that misses it.
    private let readNowConnections: ReadConnectionPool

    /// The WAL length, in pages, past which the writer checkpoints after a commit: SQLite's
    /// own automatic threshold (https://www.sqlite.org/pragma.html#pragma_wal_autocheckpoint),
    /// which the writer takes over (see ``checkpointIfWALIsLong(_:_:)``).
    static let checkpointThresholdPages: Int32 = 1000

    init(path: String, maxBatchSize: Int, readNowConnections: ReadConnectionPool) {
        self.path = path
        self.maxBatchSize = max(1, maxBatchSize)
        self.readNowConnections = readNowConnections
    }

    // MARK: - Callers

    /// Queues `job`, waking the writer thread if it is parked.
    /// - Throws: ``SQLiteError/Code/misuse`` once the database is closing.
    func submit(_ job: any DatabaseJob) throws {
        let mustWake = try self.state.withLock { (state) throws -> Bool in
            guard !state.isClosing else { throw SQLiteError.closed("the database", path: self.path) }
            state.queue.append(job)
            guard state.isWaiting else { return false }
            state.isWaiting = false
            return true
        }
        if mustWake { self.wake.signal() }
    }

    /// Jobs queued and not yet taken by the writer thread.
    var queuedCount: Int { self.state.withLock { $0.queue.count } }

    /// Stops taking writes; the thread commits what is queued, closes the connection and exits.
    func requestShutdown() {
        let mustWake = self.state.withLock { state -> Bool in
            state.isClosing = true
            guard state.isWaiting else { return false }
            state.isWaiting = false
            return true
        }
        if mustWake { self.wake.signal() }
    }

    /// ``requestShutdown()``, then waits until the thread has closed its connection.
    func shutdown() async {
        self.requestShutdown()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let exited = self.state.withLock { state -> Bool in
                if state.hasExited { return true }
                state.exitWaiters.append(continuation)
                return false
            }
            if exited { continuation.resume() }
        }
    }

    // MARK: - Writer thread

    /// What the thread does next.
    private enum Next {
        case batch([any DatabaseJob])
        case park
        case exit
    }

    /// The thread's loop; returns after shutdown, once the queue is empty and the connection
    /// closed. Runs on the writer thread only.
    func run(_ connection: SQLiteConnection) {
        let gate = CommitGate()
        installCommitHook(gate, on: connection)
        let wal = WALLength()
        installWALHook(wal, on: connection)
        while true {
            let next = self.state.withLock { state -> Next in
                if state.queue.isEmpty {
                    if state.isClosing { return .exit }
                    state.isWaiting = true
                    return .park
                }
                return .batch(state.queue.popBatch(limit: self.maxBatchSize) { !$0.runsAlone })
            }
            switch next {
            case .park:
                self.wake.wait()
            case .batch(let batch):
                if batch.count == 1, batch[0].runsAlone {
                    // A checkpoint, which may wait for readers for as long as the busy timeout.
                    gate.allowsCommit = true
                    self.waitingForReaders(on: connection, atMost: connection.busyTimeout) { _ = batch[0].run(connection) }
                    gate.allowsCommit = false
                    batch[0].finish()
                } else {
                    self.commitGroup(batch, on: connection, gate: gate)
                    self.checkpointIfWALIsLong(connection, wal)
                }
            case .exit:
                removeCommitHook(on: connection)
                removeWALHook(on: connection)
                try? connection.close()
                self.markExited()
                withExtendedLifetime(gate) {}
                withExtendedLifetime(wal) {}
                return
            }
        }
    }

    /// Marks the thread as gone and resumes everyone waiting in ``shutdown()``.
    func markExited() {
        let waiters = self.state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.hasExited = true
            state.isClosing = true
            defer { state.exitWaiters = [] }
            return state.exitWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    private static let savepoint = "slipway_write"

    /// Runs `batch` in as few transactions as possible (one, unless a transaction breaks) and
    /// resumes every caller. Counters are updated before the callers they count are resumed,
    /// so a caller that reads ``SQLiteDatabase/statistics`` sees its own write.
    private func commitGroup(_ batch: [any DatabaseJob], on connection: SQLiteConnection, gate: CommitGate) {
        self.statistics.withLock { statistics in
            statistics.batches += 1
            statistics.largestBatch = max(statistics.largestBatch, batch.count)
        }
        var next = 0

        transactions: while next < batch.count {
            do {
                try connection.execute("BEGIN IMMEDIATE TRANSACTION", [])
            } catch {
                // Not even BEGIN works (the disk is gone, the file was deleted): fail the rest.
                self.fail(Array(batch[next...]), with: error)
                break transactions
            }

            var pending: [any DatabaseJob] = []
            while next < batch.count {
                let job = batch[next]
                next += 1
                var succeeded = false
                var broken: (any Error)?
                do {
                    try connection.execute("SAVEPOINT \(Self.savepoint)", [])
                    succeeded = job.run(connection)
                    if !connection.isInTransaction {
                        broken = SQLiteError(
                            code: .misuse,
                            message: "a write closure ended the writer's transaction (COMMIT, ROLLBACK or an error "
                                + "that rolls back the whole transaction)",
                            path: self.path)
                    } else if succeeded {
                        try connection.execute("RELEASE SAVEPOINT \(Self.savepoint)", [])
                    } else {
                        try connection.execute("ROLLBACK TRANSACTION TO SAVEPOINT \(Self.savepoint)", [])
                        try connection.execute("RELEASE SAVEPOINT \(Self.savepoint)", [])
                    }
                } catch {
                    broken = error
                }

                if let broken {
                    // The transaction is gone or unusable: nothing in it will commit. The job
                    // keeps its own error if it threw one; the earlier ones learn why they were
                    // rolled back.
                    connection.rollbackIfNeeded()
                    if succeeded { job.fail(broken) }
                    self.fail([job], with: nil)
                    self.fail(pending, with: Self.rolledBack(by: broken, path: self.path))
                    continue transactions
                }
                if succeeded {
                    pending.append(job)
                } else {
                    // Rolled back to its own savepoint: its outcome is final, resume it now.
                    self.fail([job], with: nil)
                }
            }

            guard !pending.isEmpty else {
                connection.rollbackIfNeeded()
                continue
            }
            // Only this COMMIT may commit: the commit hook turns any other into a rollback.
            gate.allowsCommit = true
            do {
                try connection.execute("COMMIT TRANSACTION", [])
                gate.allowsCommit = false
                self.readNowConnections.invalidateSnapshots()
                self.statistics.withLock { statistics in
                    statistics.commits += 1
                    statistics.writes += pending.count
                }
                // Acknowledged only now, after the COMMIT (and its fsync) has returned.
                for job in pending { job.finish() }
            } catch {
                gate.allowsCommit = false
                connection.rollbackIfNeeded()
                self.fail(pending, with: error)
            }
        }
    }

    /// Checkpoints once the WAL is longer than ``checkpointThresholdPages``, as SQLite's
    /// automatic checkpoint would, but after the commit's read snapshots have ended.
    ///
    /// SQLite's own checkpoint runs inside `COMMIT`, while idle ``SQLiteDatabase/readNow(_:)``
    /// connections still hold snapshots from before it; it could then never copy the newest
    /// frames, and the WAL, only restarted once fully copied, would grow without end under a
    /// steady stream of reads and writes. A passive checkpoint is not enough either: readers
    /// in the middle of a read, always there under load, leave the WAL copied but in use, so
    /// it is not restarted. This one is `RESTART`: it copies every frame and waits, up to
    /// ``checkpointPatience``, until no reader uses the WAL, ending idle snapshots while it
    /// waits; readers that begin on a fully copied WAL read the database file, and the next
    /// write starts the WAL from its beginning.
    private func checkpointIfWALIsLong(_ connection: SQLiteConnection, _ wal: WALLength) {
        guard wal.pages >= Self.checkpointThresholdPages else { return }
        self.waitingForReaders(on: connection, atMost: Self.checkpointPatience) {
            _ = try? connection.checkpoint(.restart)
        }
        // The next commit's hook tells the length again; a batch that commits nothing must not
        // checkpoint (and wait for readers) once more on the old figure.
        wal.pages = 0
    }

    /// How long the writer's own checkpoint waits for readers; writes queue meanwhile. Readers
    /// finish a lookup in microseconds, so only a long read (a backup) makes it give up, and
    /// then it has still copied what it could, as a passive checkpoint does.
    static let checkpointPatience: Duration = .milliseconds(50)

    /// Runs `body`, a checkpoint, with a busy handler that ends idle ``SQLiteDatabase/readNow(_:)``
    /// snapshots each time a reader holds it up, and gives up after `limit`; then ends the
    /// snapshots begun while it ran, which may sit on WAL frames it wants to reuse.
    private func waitingForReaders(on connection: SQLiteConnection, atMost limit: Duration, _ body: () -> Void) {
        let started = ContinuousClock.now
        connection.withBusyHandler({ attempts in
            self.readNowConnections.invalidateSnapshots()
            guard ContinuousClock.now - started < limit else { return false }
            // Short naps first: what it waits for is usually a read in progress.
            usleep(attempts < 20 ? 100 : 2_000)
            return true
        }, body)
        self.readNowConnections.invalidateSnapshots()
    }

    /// Counts `jobs` as failed, gives them `error` (unless nil: they hold their own), and
    /// resumes them.
    private func fail(_ jobs: [any DatabaseJob], with error: (any Error)?) {
        guard !jobs.isEmpty else { return }
        self.statistics.withLock { $0.failedWrites += jobs.count }
        for job in jobs {
            if let error { job.fail(error) }
            job.finish()
        }
    }

    /// The error for a write that succeeded but was rolled back with its transaction.
    private static func rolledBack(by cause: any Error, path: String) -> SQLiteError {
        var error = (cause as? SQLiteError) ?? SQLiteError(code: .abort, path: path)
        error.message = "rolled back with its group transaction because another write in it failed: \(error.message)"
        return error
    }
}

/// Whether the writer is committing: read by the commit hook on the writer thread.
private final class CommitGate {
    var allowsCommit = false
}

/// Installs a commit hook that vetoes every commit the writer did not start itself.
///
/// https://www.sqlite.org/c3ref/commit_hook.html: "If the callback on a commit hook function
/// returns non-zero, then the COMMIT is converted into a ROLLBACK." A write closure that runs
/// `COMMIT` would otherwise commit the writes before it in the batch behind the writer's back;
/// with the hook it rolls back instead, and the writer reports that outcome truthfully.
private func installCommitHook(_ gate: CommitGate, on connection: SQLiteConnection) {
    connection.withUnsafeHandle { handle in
        _ = sqlite3_commit_hook(
            handle,
            { context in
                Unmanaged<CommitGate>.fromOpaque(context!).takeUnretainedValue().allowsCommit ? 0 : 1
            },
            Unmanaged.passUnretained(gate).toOpaque())
    }
}

private func removeCommitHook(on connection: SQLiteConnection) {
    connection.withUnsafeHandle { handle in _ = sqlite3_commit_hook(handle, nil, nil) }
}

/// The WAL's length after the last commit, set by the WAL hook on the writer thread.
private final class WALLength {
    var pages: Int32 = 0
}

/// Installs a WAL hook that records the WAL's length after each commit. It replaces SQLite's
/// automatic checkpoint: "the sqlite3_wal_autocheckpoint() … [is] implemented using
/// sqlite3_wal_hook() … [and] will overwrite any prior sqlite3_wal_hook() settings"
/// (https://www.sqlite.org/c3ref/wal_hook.html), and the writer checkpoints itself.
private func installWALHook(_ wal: WALLength, on connection: SQLiteConnection) {
    connection.withUnsafeHandle { handle in
        _ = sqlite3_wal_hook(
            handle,
            { context, _, _, pages in
                Unmanaged<WALLength>.fromOpaque(context!).takeUnretainedValue().pages = pages
                return SQLITE_OK
            },
            Unmanaged.passUnretained(wal).toOpaque())
    }
}

private func removeWALHook(on connection: SQLiteConnection) {
    connection.withUnsafeHandle { handle in _ = sqlite3_wal_hook(handle, nil, nil) }
}
