// slipway — SQLite
// SPDX-License-Identifier: Apache-2.0

/// A first-in, first-out queue of jobs for a database thread, kept inside that thread's Mutex.
struct JobQueue {
    private var items: [any DatabaseJob] = []
    private var head = 0

    var isEmpty: Bool { self.head == self.items.count }
    var count: Int { self.items.count - self.head }

    mutating func append(_ job: any DatabaseJob) {
        self.items.append(job)
    }

    mutating func popFirst() -> (any DatabaseJob)? {
        guard !self.isEmpty else { return nil }
        let job = self.items[self.head]
        self.head += 1
        self.compact()
        return job
    }

    /// Removes and returns up to `limit` leading jobs for which `belongs` holds, but always at
    /// least the first job.
    mutating func popBatch(limit: Int, while belongs: (any DatabaseJob) -> Bool) -> [any DatabaseJob] {
        guard !self.isEmpty else { return [] }
        var end = self.head + 1
        if belongs(self.items[self.head]) {
            while end < self.items.count, end - self.head < limit, belongs(self.items[end]) { end += 1 }
        }
        let batch = Array(self.items[self.head..<end])
        self.head = end
        self.compact()
        return batch
    }

    /// Drops consumed slots once they are at least half of the storage.
    private mutating func compact() {
        if self.head == self.items.count {
            self.items.removeAll(keepingCapacity: true)
            self.head = 0
        } else if self.head >= 1024 && self.head * 2 >= self.items.count {
            self.items.removeFirst(self.head)
            self.head = 0
        }
    }
}
