// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

/// An Engine API version such as `1.41`, ordered numerically (`1.9 < 1.41`).
public struct DockerAPIVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var major: Int
    public var minor: Int

    public init(_ major: Int, _ minor: Int) {
        self.major = major
        self.minor = minor
    }

    /// Parses `MAJOR.MINOR`; `nil` for anything else.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let major = Int(parts[0]), let minor = Int(parts[1]), major >= 0, minor >= 0 else { return nil }
        self.major = major
        self.minor = minor
    }

    public static func < (lhs: DockerAPIVersion, rhs: DockerAPIVersion) -> Bool {
        (lhs.major, lhs.minor) < (rhs.major, rhs.minor)
    }

    public var description: String { "\(self.major).\(self.minor)" }

    /// The newest version this client is written against. Every call it makes has the same
    /// shape from 1.41 to 1.44, and 1.44 is the oldest that Docker Engine 29 accepts.
    public static let clientMaximum = DockerAPIVersion(1, 44)

    /// The oldest version this client accepts: Debian 12's docker.io (Engine 20.10), the
    /// engine it is tested against.
    public static let clientMinimum = DockerAPIVersion(1, 41)

    /// The first version with `signal` on `POST /containers/{id}/stop`.
    static let stopSignal = DockerAPIVersion(1, 42)
}
