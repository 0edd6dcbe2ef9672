// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

import Sockets

/// Graceful shutdown of one HTTP/2 connection (RFC 9113 §6.8), as nghttp2's header
/// recommends: a first GOAWAY with the largest stream id ("stop opening streams"), a PING to
/// learn when the client has seen it, then the final GOAWAY naming the last stream the
/// server processed. Streams up to that id finish; then nghttp2 wants neither to read nor
/// write and the connection closes.
///
/// Each transition returns what the connection must do, so the sequence is testable
/// without a socket.
enum HTTP2ShutdownState: Equatable {
    case serving
    /// The shutdown notice and a PING are queued; the final GOAWAY follows the PING's ACK
    /// or `deadline`, whichever comes first.
    case announced(pingPayload: UInt64, deadline: Instant)
    /// The final GOAWAY is queued: only streams already open are served.
    case goingAway

    enum Action: Equatable {
        case none
        /// Queue `nghttp2_submit_shutdown_notice` and a PING carrying `pingPayload`.
        case announce(pingPayload: UInt64)
        /// Queue the final GOAWAY with the last processed stream id.
        case sendFinalGoaway
    }

    /// The server started shutting down.
    mutating func beginShutdown(now: Instant, timeout: Duration, pingPayload: UInt64) -> Action {
        guard case .serving = self else { return .none }
        self = .announced(pingPayload: pingPayload, deadline: now + timeout)
        return .announce(pingPayload: pingPayload)
    }

    /// A PING ACK arrived: one round trip has passed since the notice.
    mutating func pingAcknowledged(payload: UInt64) -> Action {
        guard case .announced(let expected, _) = self, expected == payload else { return .none }
        self = .goingAway
        return .sendFinalGoaway
    }

    /// The connection's timer fired.
    mutating func timerFired(now: Instant) -> Action {
        guard case .announced(_, let deadline) = self, now >= deadline else { return .none }
        self = .goingAway
        return .sendFinalGoaway
    }

    /// When the state next needs the timer, if ever.
    var deadline: Instant? {
        if case .announced(_, let deadline) = self { return deadline }
        return nil
    }
}
