// slipway — API
// SPDX-License-Identifier: Apache-2.0

import Jobs
import Synchronization

/// One `/v1/events` subscriber's queue. The hub pushes; the subscriber's response takes
/// everything queued at once, so a burst becomes one write per subscriber, not one per event.
///
/// The queue is bounded: a subscriber that falls `capacity` events behind is closed, and its
/// client resumes from the store with `Last-Event-ID` — slower, but it misses nothing.
public final class EventSubscription: Sendable {
    /// What a subscriber receives.
    public enum Delivery: Sendable, Hashable {
        case change(StateChange)
        /// Nothing happened for a while: a comment line keeps proxies from closing the stream.
        case heartbeat
    }

    private struct State {
        var queue: [Delivery] = []
        var waiter: CheckedContinuation<[Delivery]?, Never>?
        var closed = false
    }

    let id: UInt64
    private let capacity: Int
    private let state = Mutex(State())
    private let onClose: @Sendable (UInt64) -> Void

    init(id: UInt64, capacity: Int, onClose: @escaping @Sendable (UInt64) -> Void) {
        self.id = id
        self.capacity = capacity
        self.onClose = onClose
    }

    /// Queues `delivery`; closes the subscription when it is full.
    func push(_ delivery: Delivery) {
        let (waiter, items, overflowed) = self.state.withLock { state -> (CheckedContinuation<[Delivery]?, Never>?, [Delivery]?, Bool) in
            guard !state.closed else { return (nil, nil, false) }
            if state.queue.count >= self.capacity {
                state.closed = true
                let waiter = state.waiter
                state.waiter = nil
                return (waiter, waiter == nil ? nil : [], true)
            }
            state.queue.append(delivery)
            guard let waiter = state.waiter else { return (nil, nil, false) }
            state.waiter = nil
            let items = state.queue
            state.queue.removeAll(keepingCapacity: true)
            return (waiter, items, false)
        }
        if let waiter { waiter.resume(returning: overflowed ? nil : items) }
        if overflowed { self.onClose(self.id) }
    }

    /// Everything queued, waiting for something if nothing is; `nil` once closed and drained.
    public func next() async -> [Delivery]? {
        await withCheckedContinuation { (continuation: CheckedContinuation<[Delivery]?, Never>) in
            let ready = self.state.withLock { state -> [Delivery]?? in
                if !state.queue.isEmpty {
                    let items = state.queue
                    state.queue.removeAll(keepingCapacity: true)
                    return .some(items)
                }
                if state.closed { return .some(nil) }
                state.waiter = continuation
                return .none
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Ends the subscription; a pending ``next()`` returns `nil`.
    public func close() {
        let waiter = self.state.withLock { state -> CheckedContinuation<[Delivery]?, Never>? in
            guard !state.closed else { return nil }
            state.closed = true
            let waiter = state.waiter
            state.waiter = nil
            state.queue.removeAll()
            return waiter
        }
        waiter?.resume(returning: nil)
        self.onClose(self.id)
    }
}
