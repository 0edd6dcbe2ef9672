// slipway — DockerGuard
// SPDX-License-Identifier: Apache-2.0

import Synchronization

/// How many connections of one job are served at once. The accept loop waits for a permit
/// before it accepts, so a job opening connections faster than they finish waits in its own
/// listen backlog: other jobs' sockets, and the engine, see at most this many of its calls.
final class ConnectionPermits: Sendable {
    private struct State {
        var available: Int
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>

    init(_ count: Int) {
        self.state = Mutex(State(available: count))
    }

    /// Waits for a permit. A canceled wait returns at once (the caller checks cancellation).
    func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let granted = self.state.withLock { state -> Bool in
                if state.available > 0 {
                    state.available -= 1
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if granted { continuation.resume() }
        }
    }

    func release() {
        let waiter = self.state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.available += 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.resume()
    }
}
