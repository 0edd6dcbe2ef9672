// slipway — SQLite
// SPDX-License-Identifier: Apache-2.0

/// A small least-recently-used cache of prepared statements, keyed by SQL text.
///
/// Preparing parses and plans the SQL; a cached statement only needs `sqlite3_reset`. The cache
/// is small (the store runs a few dozen distinct statements), so eviction scans it.
struct StatementCache {
    private struct Entry {
        let statement: SQLiteStatement
        var lastUse: UInt64
    }

    let capacity: Int
    private var entries: [String: Entry] = [:]
    private var clock: UInt64 = 0

    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    var count: Int { self.entries.count }

    mutating func statement(for sql: String) -> SQLiteStatement? {
        guard var entry = self.entries[sql] else { return nil }
        self.clock &+= 1
        entry.lastUse = self.clock
        self.entries[sql] = entry
        return entry.statement
    }

    mutating func insert(_ statement: SQLiteStatement) {
        guard self.capacity > 0 else { return }
        if self.entries.count >= self.capacity, self.entries[statement.sql] == nil,
            let oldest = self.entries.min(by: { $0.value.lastUse < $1.value.lastUse })?.key
        {
            self.entries.removeValue(forKey: oldest)
        }
        self.clock &+= 1
        self.entries[statement.sql] = Entry(statement: statement, lastUse: self.clock)
    }

    /// Finalizes every cached statement (before the connection closes).
    mutating func removeAll() {
        for entry in self.entries.values { entry.statement.finalize() }
        self.entries.removeAll()
    }
}
