// slipway — HTTP tests
// SPDX-License-Identifier: Apache-2.0

import Sockets
import Testing
@testable import HTTP

@Suite("HTTP/2 shutdown state and reset budget")
struct HTTP2StateTests {
    static let start = Instant(nanoseconds: 1_000_000_000)

    /// An event fed to the shutdown state machine and the action it must return.
    enum Event: Sendable {
        case begin(payload: UInt64)
        case ack(payload: UInt64)
        case timer(afterMilliseconds: Int)
    }

    static func apply(_ event: Event, to state: inout HTTP2ShutdownState) -> HTTP2ShutdownState.Action {
        switch event {
        case .begin(let payload): state.beginShutdown(now: start, timeout: .seconds(1), pingPayload: payload)
        case .ack(let payload): state.pingAcknowledged(payload: payload)
        case .timer(let milliseconds): state.timerFired(now: start + .milliseconds(milliseconds))
        }
    }

    static let sequences: [(name: String, steps: [(Event, HTTP2ShutdownState.Action)], final: HTTP2ShutdownState)] = [
        ("the PING ACK ends the wait", [
            (.begin(payload: 42), .announce(pingPayload: 42)),
            (.begin(payload: 7), .none),        // a second shutdown request changes nothing
            (.ack(payload: 41), .none),         // not our PING
            (.timer(afterMilliseconds: 500), .none),
            (.ack(payload: 42), .sendFinalGoaway),
            (.ack(payload: 42), .none),
            (.timer(afterMilliseconds: 5000), .none),
        ], .goingAway),
        ("the deadline ends the wait without an ACK", [
            (.begin(payload: 1), .announce(pingPayload: 1)),
            (.timer(afterMilliseconds: 1000), .sendFinalGoaway),
        ], .goingAway),
        ("nothing happens while serving", [
            (.ack(payload: 0), .none),
            (.timer(afterMilliseconds: 0), .none),
        ], .serving),
    ]

    @Test(arguments: sequences)
    func shutdownTransitions(_ sequence: (name: String, steps: [(Event, HTTP2ShutdownState.Action)], final: HTTP2ShutdownState)) {
        var state = HTTP2ShutdownState.serving
        for (index, (event, expected)) in sequence.steps.enumerated() {
            let action = Self.apply(event, to: &state)
            #expect(action == expected, "step \(index)")
        }
        #expect(state == sequence.final)
        #expect(state.deadline == nil)
    }

    @Test(arguments: [(burst: 5, rate: 0), (burst: 100, rate: 10), (burst: 1, rate: 1)])
    func resetBudgetAllowsItsBurstThenRefills(_ budget: (burst: Int, rate: Int)) {
        var bucket = HTTP2ResetBudget(burst: budget.burst, ratePerSecond: budget.rate, now: Self.start)
        func spendAll(at now: Instant) -> Int {
            var spent = 0
            while bucket.spend(now: now) { spent += 1 }
            return spent
        }
        #expect(spendAll(at: Self.start) == budget.burst)
        #expect(spendAll(at: Self.start + .seconds(2)) == min(budget.burst, 2 * budget.rate))
    }
}
