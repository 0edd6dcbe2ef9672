// slipway — SQLite tests
// SPDX-License-Identifier: Apache-2.0

import Synchronization

/// A counter that closures on other threads can share.
final class SharedCounter: Sendable {
    private let value = Atomic<Int>(0)

    /// Adds one and returns the new value.
    func next() -> Int { self.value.add(1, ordering: .relaxed).newValue }
    var current: Int { self.value.load(ordering: .relaxed) }
}
