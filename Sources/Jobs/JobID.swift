// slipway — Jobs
// SPDX-License-Identifier: Apache-2.0

/// A job's identity: a positive integer assigned by the store, as GitLab's job ids are.
public struct JobID: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: Int64

    public init(rawValue: Int64) { self.rawValue = rawValue }
    public init(_ rawValue: Int64) { self.rawValue = rawValue }

    /// Parses the decimal digits of a job id (1 to 18 digits, positive); anything else is nil.
    /// Inlinable so it is specialised where it is called: as a generic call across modules it
    /// cost a lookup of GET /v1/jobs/{id} about 5% of its time.
    @inlinable
    public init?(_ text: some StringProtocol) {
        var value: Int64 = 0
        var digits = 0
        for byte in text.utf8 {
            guard byte >= 0x30, byte <= 0x39, digits < 18 else { return nil }
            value = value * 10 + Int64(byte - 0x30)
            digits += 1
        }
        guard value > 0 else { return nil }
        self.rawValue = value
    }

    public static func < (lhs: JobID, rhs: JobID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(self.rawValue) }

    public init(from decoder: any Decoder) throws {
        self.rawValue = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(self.rawValue)
    }
}
