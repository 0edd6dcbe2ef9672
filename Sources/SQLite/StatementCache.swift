// slipway — SQLite
// SPDX-License-Identifier: Apache-2.0

/// A small least-recently-used cache of prepared statements, keyed by SQL text.
///
/// Preparing parses and plans the SQL; a cached statement only needs `sqlite3_reset`. The cache
/// is small (the store runs a few dozen distinct statements), so eviction scans it.
struct StatementCache {
    private final class Entry {
        let statement: SQLiteStatement
        var lastUse: UInt64

        init(statement: SQLiteStatement, lastUse: UInt64) {
            self.statement = statement
            self.lastUse = lastUse
        }
    }

    let capacity: Int
    private var entries: [String: Entry] = [:]
    /// The entry returned last: a connection usually runs the same statement again (an event
    /// loop's lookups), and comparing the text costs less than hashing it.
    private var mostRecent: Entry?
    private var clock: UInt64 = 0

    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    var count: Int { self.entries.count }

    mutating func statement(for sql: String) -> SQLiteStatement? {
        self.clock &+= 1
        if let recent = self.mostRecent, recent.statement.sql == sql {
            recent.lastUse = self.clock
            return recent.statement
        }
        guard let entry = self.entries[sql] else { return nil }
        entry.lastUse = self.clock
        self.mostRecent = entry
        return entry.statement
    }

    mutating func insert(_ statement: SQLiteStatement) {
        guard self.capacity > 0 else { return }
        if self.entries.count >= self.capacity, self.entries[statement.sql] == nil,
            let oldest = self.entries.min(by: { $0.value.lastUse < $1.value.lastUse })?.key
        {
            if self.mostRecent?.statement.sql == oldest { self.mostRecent = nil }
            self.entries.removeValue(forKey: oldest)
        }
        self.clock &+= 1
        let entry = Entry(statement: statement, lastUse: self.clock)
        self.entries[statement.sql] = entry
        self.mostRecent = entry
    }

    /// Finalizes every cached statement (before the connection closes).
    mutating func removeAll() {
        for entry in self.entries.values { entry.statement.finalize() }
        self.entries.removeAll()
        self.mostRecent = nil
    }
}
