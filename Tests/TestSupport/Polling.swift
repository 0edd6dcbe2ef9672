// slipway — test support
// SPDX-License-Identifier: Apache-2.0

/// ``waitUntil(_:timeout:interval:_:)`` gave up.
public struct WaitTimedOut: Error, CustomStringConvertible {
    public var what: String
    public var timeout: Duration
    public var description: String { "\(self.what) did not happen within \(self.timeout)" }
}

/// Polls `condition` until it holds; throws ``WaitTimedOut`` naming `what` after `timeout`.
///
/// For waiting *until* something happens. A test that must show that something does *not*
/// happen waits for the event that proves it instead (an idle scheduler, a later event).
public func waitUntil(
    _ what: @autoclosure () -> String = "the condition",
    timeout: Duration = .seconds(60),
    interval: Duration = .milliseconds(10),
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw WaitTimedOut(what: what(), timeout: timeout) }
        try await Task.sleep(for: interval)
    }
}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
public func eventually(
    timeout: Duration = .seconds(60),
    interval: Duration = .milliseconds(10),
    _ condition: () async throws -> Bool
) async throws -> Bool {
    do {
        try await waitUntil(timeout: timeout, interval: interval, condition)
        return true
    } catch is WaitTimedOut {
        return false
    }
}
