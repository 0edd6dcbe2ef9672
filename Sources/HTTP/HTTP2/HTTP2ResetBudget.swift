// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

import Sockets

/// A token bucket over the RST_STREAM frames the server itself sends on one connection.
///
/// nghttp2's Rapid Reset limiter counts only the client's resets. A client can also make
/// the *server* reset streams — a bad WINDOW_UPDATE, DATA on a half-closed stream, header
/// lists over budget, zero windows until the stall timeout (MadeYouReset, CVE-2025-8671) —
/// and each costs a stream's setup. Past the budget the connection ends with
/// ENHANCE_YOUR_CALM.
struct HTTP2ResetBudget {
    let burst: Double
    let ratePerSecond: Double
    private var tokens: Double
    private var lastRefill: Instant

    init(burst: Int, ratePerSecond: Int, now: Instant) {
        self.burst = Double(max(1, burst))
        self.ratePerSecond = Double(max(0, ratePerSecond))
        self.tokens = self.burst
        self.lastRefill = now
    }

    /// Takes a token for one reset; false when the bucket is empty.
    mutating func spend(now: Instant) -> Bool {
        let elapsed = now > self.lastRefill ? now.duration(since: self.lastRefill).seconds : 0
        self.tokens = min(self.burst, self.tokens + elapsed * self.ratePerSecond)
        self.lastRefill = now
        guard self.tokens >= 1 else { return false }
        self.tokens -= 1
        return true
    }
}
