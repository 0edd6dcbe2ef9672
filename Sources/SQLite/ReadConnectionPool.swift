// slipway — SQLite
// SPDX-License-Identifier: Apache-2.0

import Synchronization

/// Read-only connections for ``SQLiteDatabase/readNow(_:)``, lent to the calling thread, each
/// keeping its read transaction open between reads for as long as no write has committed.
///
/// A caller takes an idle connection from the Mutex-guarded list (or opens a new one when none
/// is idle), uses it on its own thread, and puts it back. The lock is held only to push or pop
/// the list, never while a caller's SQL runs, and nothing here waits for the writer.
///
/// **Shared snapshots.** The writer counts its commits here (``invalidateSnapshots()``) before
/// it acknowledges them. A read reuses a connection's open transaction only if the count has
/// not moved since that transaction began; otherwise it begins a new one. So a read sees every
/// write that was acknowledged before the read was asked for: the acknowledgement came after
/// the count moved, and a snapshot from before the move is not reused. Reads between two
/// commits see the same data whether or not they share a snapshot, and save the lock and
/// unlock of a read-mark slot each (see ``SnapshotConnection``). Writes by other processes,
/// which the writer does not count, show once the next write of this one commits.
///
/// A snapshot left open while the writer commits would keep the WAL from being checkpointed
/// and restarted, so the writer also ends every idle snapshot when it counts a commit (and
/// around checkpoints), and a connection coming back with an outdated snapshot ends it as it
/// goes idle.
final class ReadConnectionPool: Sendable {
    private struct State {
        var idle: [SnapshotConnection] = []
        var isClosed = false
        /// Commits (and checkpoints) the writer has counted: a snapshot begun at an older count
        /// may miss an acknowledged write.
        var commitCount: UInt64 = 0
    }

    private let state = Mutex(State())
    private let maxIdle: Int
    private let path: String
    private let open: @Sendable () throws -> SQLiteConnection

    init(path: String, maxIdle: Int, open: @escaping @Sendable () throws -> SQLiteConnection) {
        self.path = path
        self.maxIdle = max(0, maxIdle)
        self.open = open
    }

    /// Runs `body` on the calling thread with a connection no other thread is using, inside a
    /// read transaction that contains every write counted so far. The transaction may stay
    /// open afterwards (see the type's documentation); an error from `body` ends it.
    func withSnapshot<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        let (taken, commitCount) = try self.state.withLock { (state) throws -> (SnapshotConnection?, UInt64) in
            guard !state.isClosed else { throw SQLiteError.closed("the database", path: self.path) }
            return (state.idle.popLast(), state.commitCount)
        }
        let pooled = try taken ?? SnapshotConnection(self.open())
        let result: T
        do {
            try pooled.useSnapshot(at: commitCount)
            result = try body(pooled.connection)
        } catch {
            pooled.endSnapshot()
            self.giveBack(pooled)
            throw error
        }
        self.giveBack(pooled)
        return result
    }

    /// Counts a commit and ends the snapshots of idle connections. The writer calls it after
    /// each commit, before acknowledging the writes in it, and before and after a checkpoint.
    func invalidateSnapshots() {
        self.state.withLock { state in
            state.commitCount &+= 1
            // Under the lock: a connection being given back either is already idle here, or
            // sees the new count and ends its snapshot itself. Rare next to reads, and short.
            for pooled in state.idle { pooled.endSnapshot() }
        }
    }

    /// Closes the idle connections; connections out on loan are closed when they come back.
    func close() {
        let idle = self.state.withLock { state -> [SnapshotConnection] in
            state.isClosed = true
            defer { state.idle = [] }
            return state.idle
        }
        for pooled in idle { pooled.close() }
    }

    private func giveBack(_ pooled: SnapshotConnection) {
        guard pooled.connection.isOpen else { return }
        // Left in a transaction it did not begin (the body began one of its own, or ended
        // the snapshot's): not reused.
        guard pooled.snapshotCommitCount != nil || !pooled.connection.isInTransaction else {
            pooled.close()
            return
        }
        let kept = self.state.withLock { state -> Bool in
            guard !state.isClosed, state.idle.count < self.maxIdle else { return false }
            // A commit came while it was out: end the snapshot here, under the lock, as
            // invalidateSnapshots() ends idle ones (rare next to reads, and short).
            if let began = pooled.snapshotCommitCount, began != state.commitCount { pooled.endSnapshot() }
            state.idle.append(pooled)
            return true
        }
        if !kept { pooled.close() }
    }
}
