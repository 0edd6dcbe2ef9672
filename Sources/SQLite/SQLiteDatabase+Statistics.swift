// slipway — SQLite
// SPDX-License-Identifier: Apache-2.0

extension SQLiteDatabase {
    /// Counters kept by the writer thread since the database opened.
    ///
    /// `writes / commits` is the group-commit factor: how many acknowledged writes shared one
    /// commit (one `fsync` of the WAL under `synchronous=FULL`).
    public struct Statistics: Sendable, Equatable, CustomStringConvertible {
        /// Write closures that returned and whose transaction committed.
        public var writes = 0
        /// Write closures that threw, or whose transaction failed to commit.
        public var failedWrites = 0
        /// Transactions the writer committed.
        public var commits = 0
        /// Groups of queued writes the writer took at once.
        public var batches = 0
        /// The most writes taken in one batch.
        public var largestBatch = 0

        /// Creates zeroed counters.
        public init() {}

        /// The counters on one line.
        public var description: String {
            "writes=\(self.writes) failedWrites=\(self.failedWrites) commits=\(self.commits) "
                + "batches=\(self.batches) largestBatch=\(self.largestBatch)"
        }
    }
}
