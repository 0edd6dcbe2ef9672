// slipway — SQLite
// SPDX-License-Identifier: Apache-2.0

import CSQLite

extension SQLiteConnection {
    /// How many virtual-machine instructions pass between two progress-handler calls: the
    /// precision of ``withStepLimit(_:_:)``.
    static let stepCheckInterval: Int32 = 500

    /// Runs `body` with SQLite's progress handler interrupting whatever statement has run
    /// more than about `steps` virtual-machine instructions since `body` began; that statement
    /// fails with ``SQLiteError/Code/interrupt``.
    ///
    /// For a thread that must not stall on one slow query: a page of rows read through an
    /// index costs about 20 instructions a row, while a filter that scans the table costs
    /// several per row it skips. "The progress handler callback is invoked periodically during
    /// long running calls … If the progress callback returns non-zero, the operation is
    /// interrupted" (https://www.sqlite.org/c3ref/progress_handler.html). SQLite calls it each
    /// time a statement's lifetime instruction count passes a multiple of the interval, so it
    /// counts calls rather than relying on one call at `steps`: a cached statement would
    /// otherwise be cut off when its count, summed over earlier runs, passed the limit.
    public func withStepLimit<T>(_ steps: Int32, _ body: () throws -> T) rethrows -> T {
        // One call may come after fewer instructions than the interval: allow one more.
        self.remainingStepChecks = max(0, steps / Self.stepCheckInterval) + 1
        sqlite3_progress_handler(
            self.handle.pointer, Self.stepCheckInterval,
            { context in
                let connection = Unmanaged<SQLiteConnection>.fromOpaque(context!).takeUnretainedValue()
                connection.remainingStepChecks -= 1
                return connection.remainingStepChecks < 0 ? 1 : 0
            },
            Unmanaged.passUnretained(self).toOpaque())
        defer { sqlite3_progress_handler(self.handle.pointer, 0, nil, nil) }
        return try body()
    }
}
