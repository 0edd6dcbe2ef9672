// slipway — SQLite
// SPDX-License-Identifier: Apache-2.0

import Synchronization
import Threads

/// Dedicated reader threads, each owning one read-only connection, serving
/// ``SQLiteDatabase/read(_:)`` from a shared queue.
///
/// In WAL mode "readers do not block writers and a writer does not block readers"
/// (https://www.sqlite.org/wal.html), so these threads never wait for the writer thread, and a
/// long read does not delay a commit.
final class SQLiteReaderPool: Sendable {
    private struct State {
        var queue = JobQueue()
        var isClosing = false
        var runningThreads = 0
        var exitWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    // Counts queued jobs, plus one per thread at shutdown so that every thread wakes to exit.
    private let available = ThreadSemaphore()
    private let path: String

    /// Starts one thread per connection; each thread owns its connection until it exits.
    init(connections: [ConnectionBox], path: String) {
        self.path = path
        self.state.withLock { $0.runningThreads = connections.count }
        for (index, box) in connections.enumerated() {
            NamedThread.detach(name: "sqlite-read-\(index)") { [self] in self.run(box) }
        }
    }

    /// Queues `job` for the next free reader thread.
    /// - Throws: ``SQLiteError/Code/misuse`` once the database is closing.
    func submit(_ job: any DatabaseJob) throws {
        try self.state.withLock { (state) throws in
            guard !state.isClosing else { throw SQLiteError.closed("the database", path: self.path) }
            state.queue.append(job)
        }
        self.available.signal()
    }

    /// Stops taking reads; the threads finish what is queued, close their connections and exit.
    func requestShutdown() {
        let threads = self.state.withLock { state -> Int in
            guard !state.isClosing else { return 0 }
            state.isClosing = true
            return state.runningThreads
        }
        for _ in 0..<threads { self.available.signal() }
    }

    /// ``requestShutdown()``, then waits until every thread has closed its connection.
    func shutdown() async {
        self.requestShutdown()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let exited = self.state.withLock { state -> Bool in
                if state.runningThreads == 0 { return true }
                state.exitWaiters.append(continuation)
                return false
            }
            if exited { continuation.resume() }
        }
    }

    private enum Next {
        case job(any DatabaseJob)
        case exit
        case wait
    }

    /// A reader thread's loop.
    private func run(_ box: ConnectionBox) {
        let connection = box.connection
        while true {
            self.available.wait()
            let next = self.state.withLock { state -> Next in
                if let job = state.queue.popFirst() { return .job(job) }
                return state.isClosing ? .exit : .wait
            }
            switch next {
            case .job(let job):
                _ = job.run(connection)
                job.finish()
            case .wait:
                continue
            case .exit:
                try? connection.close()
                let waiters = self.state.withLock { state -> [CheckedContinuation<Void, Never>] in
                    state.runningThreads -= 1
                    guard state.runningThreads == 0 else { return [] }
                    defer { state.exitWaiters = [] }
                    return state.exitWaiters
                }
                for waiter in waiters { waiter.resume() }
                return
            }
        }
    }
}
