// slipway — SQLite
// SPDX-License-Identifier: Apache-2.0

import Synchronization

/// Read-only connections for ``SQLiteDatabase/readNow(_:)``, lent to the calling thread.
///
/// A caller takes an idle connection from the Mutex-guarded list (or opens a new one when none
/// is idle), uses it on its own thread, and puts it back. The lock is held only to push or pop
/// the list, never while SQL runs, and nothing here waits for the writer.
final class ReadConnectionPool: Sendable {
    private struct State {
        var idle: [ConnectionBox] = []
        var isClosed = false
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

    /// Runs `body` on the calling thread with a connection no other thread is using.
    func withConnection<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        let taken = try self.state.withLock { (state) throws -> ConnectionBox? in
            guard !state.isClosed else { throw SQLiteError.closed("the database", path: self.path) }
            return state.idle.popLast()
        }
        let box = try taken ?? ConnectionBox(self.open())
        defer { self.giveBack(box) }
        return try body(box.connection)
    }

    /// Closes the idle connections; connections out on loan are closed when they come back.
    func close() {
        let idle = self.state.withLock { state -> [ConnectionBox] in
            state.isClosed = true
            defer { state.idle = [] }
            return state.idle
        }
        for box in idle { try? box.connection.close() }
    }

    private func giveBack(_ box: ConnectionBox) {
        // A connection left inside a transaction (the body escaped the wrapper's COMMIT by a
        // crash-free but unusual path) is not reused.
        let reusable = box.connection.isOpen && !box.connection.isInTransaction
        let kept = self.state.withLock { state -> Bool in
            guard reusable, !state.isClosed, state.idle.count < self.maxIdle else { return false }
            state.idle.append(box)
            return true
        }
        if !kept { try? box.connection.close() }
    }
}
