// slipway — Sockets
// SPDX-License-Identifier: Apache-2.0

/// A scheduled timer; cancelling it keeps its action from running.
public final class TimerHandle {
    fileprivate var action: (() -> Void)?
    public let deadline: Instant

    fileprivate init(deadline: Instant, action: @escaping () -> Void) {
        self.deadline = deadline
        self.action = action
    }

    /// Cancels the timer. Must be called on the loop thread that scheduled it.
    public func cancel() { self.action = nil }

    public var isCancelled: Bool { self.action == nil }
}

/// A binary min-heap of timers ordered by deadline, with lazy deletion of cancelled ones.
struct TimerQueue {
    private var heap: [TimerHandle] = []

    mutating func schedule(at deadline: Instant, _ action: @escaping () -> Void) -> TimerHandle {
        let handle = TimerHandle(deadline: deadline, action: action)
        self.heap.append(handle)
        self.siftUp(self.heap.count - 1)
        return handle
    }

    var nextDeadline: Instant? {
        mutating get {
            while let first = self.heap.first, first.isCancelled { self.removeFirst() }
            return self.heap.first?.deadline
        }
    }

    /// Removes and returns the action of the earliest live timer whose deadline has passed.
    mutating func popExpired(now: Instant) -> (() -> Void)? {
        while let first = self.heap.first, first.deadline <= now {
            self.removeFirst()
            if let action = first.action {
                first.action = nil
                return action
            }
        }
        return nil
    }

    var count: Int { self.heap.count }

    private mutating func removeFirst() {
        let last = self.heap.removeLast()
        if !self.heap.isEmpty {
            self.heap[0] = last
            self.siftDown(0)
        }
    }

    private mutating func siftUp(_ index: Int) {
        var child = index
        while child > 0 {
            let parent = (child - 1) / 2
            guard self.heap[child].deadline < self.heap[parent].deadline else { return }
            self.heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ index: Int) {
        var parent = index
        let count = self.heap.count
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < count, self.heap[left].deadline < self.heap[smallest].deadline { smallest = left }
            if right < count, self.heap[right].deadline < self.heap[smallest].deadline { smallest = right }
            if smallest == parent { return }
            self.heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
