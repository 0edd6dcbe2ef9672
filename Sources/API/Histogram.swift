// slipway — API
// SPDX-License-Identifier: Apache-2.0

/// A Prometheus histogram's state: counts per upper bound, sum and count.
struct Histogram: Sendable {
    let bounds: [Double]
    private(set) var counts: [Int]
    private(set) var sum: Double = 0
    private(set) var count: Int = 0

    init(bounds: [Double]) {
        self.bounds = bounds
        self.counts = Array(repeating: 0, count: bounds.count)
    }

    mutating func observe(_ value: Double) {
        self.sum += value
        self.count += 1
        // Buckets are few (≤ 16): a linear scan beats a binary search's branches.
        if let index = self.bounds.firstIndex(where: { value <= $0 }) { self.counts[index] += 1 }
    }

    /// The `_bucket`, `_sum` and `_count` lines, buckets cumulative as Prometheus expects.
    func render(name: String, labels: String, into text: inout String) {
        let prefix = labels.isEmpty ? "" : "\(labels),"
        var cumulative = 0
        for (bound, count) in zip(self.bounds, self.counts) {
            cumulative += count
            text += "\(name)_bucket{\(prefix)le=\"\(Self.format(bound))\"} \(cumulative)\n"
        }
        text += "\(name)_bucket{\(prefix)le=\"+Inf\"} \(self.count)\n"
        let braces = labels.isEmpty ? "" : "{\(labels)}"
        text += "\(name)_sum\(braces) \(Self.format(self.sum))\n"
        text += "\(name)_count\(braces) \(self.count)\n"
    }

    static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// Request latency buckets in seconds: 0.5 ms to 10 s.
    static let latencyBounds: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    /// Job duration and queue-wait buckets in seconds: 1 s to 2 h.
    static let jobBounds: [Double] = [1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200]
}
