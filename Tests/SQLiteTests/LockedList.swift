// slipway — SQLite tests
// SPDX-License-Identifier: Apache-2.0

import Synchronization

/// A list that closures on other threads can append to.
final class LockedList<Element: Sendable>: Sendable {
    private let storage = Mutex<[Element]>([])

    func append(_ element: Element) { self.storage.withLock { $0.append(element) } }
    var elements: [Element] { self.storage.withLock { $0 } }
}
