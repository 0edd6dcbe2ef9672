// slipway — Sockets
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif

/// Nanoseconds on the monotonic clock; immune to wall-clock jumps, so deadlines stay deadlines.
public struct Instant: Comparable, Hashable, Sendable {
    public var nanoseconds: UInt64

    public init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

    public static func now() -> Instant {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Instant(nanoseconds: UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec))
    }

    public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    /// This instant moved `nanoseconds` later.
    @inline(__always)
    public func advanced(byNanoseconds nanoseconds: UInt64) -> Instant {
        Instant(nanoseconds: self.nanoseconds &+ nanoseconds)
    }

    public static func + (lhs: Instant, rhs: Duration) -> Instant {
        Instant(nanoseconds: lhs.nanoseconds &+ rhs.nanoseconds)
    }

    /// The time from `earlier` to this instant, or zero if `earlier` is later.
    public func duration(since earlier: Instant) -> Duration {
        self.nanoseconds > earlier.nanoseconds ? .nanoseconds(Int64(self.nanoseconds - earlier.nanoseconds)) : .zero
    }

    public static let distantFuture = Instant(nanoseconds: .max / 2)
}

extension Duration {
    /// The duration in whole nanoseconds, clamped at zero.
    public var nanoseconds: UInt64 {
        let (seconds, attoseconds) = self.components
        if seconds < 0 { return 0 }
        return UInt64(seconds) &* 1_000_000_000 &+ UInt64(attoseconds / 1_000_000_000)
    }

    /// The duration in seconds as a floating-point number.
    public var seconds: Double {
        let (seconds, attoseconds) = self.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
