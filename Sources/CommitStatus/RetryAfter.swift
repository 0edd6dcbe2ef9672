// slipway — CommitStatus
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials

/// The `Retry-After` header (RFC 9110 §10.2.3): `delay-seconds` or an `HTTP-date`.
public enum RetryAfter {
    /// How long to wait from `now`; `nil` when the value is neither form. A date in the past
    /// means now (zero).
    public static func parse(_ value: String, now: Date) -> Duration? {
        let text = String(value.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
        if !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            // More digits than fit: as long as anyone would wait.
            return .seconds(Int64(text) ?? Int64.max / 1_000_000_000_000)
        }
        guard let date = HTTPDate.parse(text) else { return nil }
        let seconds = date.timeIntervalSince(now)
        return seconds <= 0 ? .zero : .milliseconds(Int64((seconds * 1000).rounded(.up)))
    }
}
