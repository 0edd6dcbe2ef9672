// slipway — GitLab
// SPDX-License-Identifier: Apache-2.0

/// One holder at a time per key, waiters served in order: two pipelines of one project must
/// not fetch into the same mirror at once (git's ref locks would fail one of them).
actor KeyedLock {
    private var held: Set<String> = []
    private var waiters: [String: [CheckedContinuation<Void, Never>]] = [:]

    func lock(_ key: String) async {
        guard self.held.contains(key) else {
            self.held.insert(key)
            return
        }
        await withCheckedContinuation { self.waiters[key, default: []].append($0) }
    }

    /// Hands the key to the next waiter, or frees it.
    func unlock(_ key: String) {
        if var queue = self.waiters[key], !queue.isEmpty {
            let next = queue.removeFirst()
            self.waiters[key] = queue.isEmpty ? nil : queue
            next.resume()
        } else {
            self.held.remove(key)
        }
    }
}
