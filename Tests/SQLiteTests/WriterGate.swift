// slipway — SQLite tests
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Synchronization

/// Holds the writer thread inside a write closure until released, so that writes queue up
/// behind it and are then taken as one batch.
final class WriterGate: Sendable {
    private let entered = Atomic<Bool>(false)
    private let released = Atomic<Bool>(false)

    /// Called inside a write closure, on the writer thread: blocks that thread (never the
    /// cooperative pool) until ``release()``.
    func hold() {
        self.entered.store(true, ordering: .releasing)
        while !self.released.load(ordering: .acquiring) { usleep(500) }
    }

    func waitUntilHeld() async throws {
        while !self.entered.load(ordering: .acquiring) { try await Task.sleep(for: .milliseconds(1)) }
    }

    func release() { self.released.store(true, ordering: .releasing) }

    /// Whether the writer thread is inside ``hold()`` now.
    var isHeld: Bool { self.entered.load(ordering: .acquiring) && !self.released.load(ordering: .acquiring) }
}
