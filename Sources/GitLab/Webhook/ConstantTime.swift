// slipway — GitLab
// SPDX-License-Identifier: Apache-2.0

/// Comparison whose running time does not depend on where two secrets differ.
enum ConstantTime {
    /// Whether `a` and `b` hold the same bytes. Every byte of the longer input is visited, so
    /// an attacker timing the answer learns nothing about how much of a guess was right (only,
    /// as with any such check, roughly how long the secret is).
    static func equals(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        let left = Array(a)
        let right = Array(b)
        var difference = UInt8(truncatingIfNeeded: left.count ^ right.count) | (left.count == right.count ? 0 : 1)
        let length = max(left.count, right.count)
        for index in 0..<length {
            let x = index < left.count ? left[index] : 0
            let y = index < right.count ? right[index] : 0
            difference |= x ^ y
        }
        return difference == 0
    }
}
