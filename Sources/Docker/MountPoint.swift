// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

/// A mount as inspect and list report it.
public struct MountPoint: Decodable, Sendable, Hashable {
    /// `bind`, `volume`, `tmpfs`, `npipe`.
    public var type: String?
    /// The volume's name (volumes only).
    public var name: String?
    public var source: String?
    public var destination: String?
    public var driver: String?
    public var mode: String?
    /// Writable.
    public var rw: Bool?
    public var propagation: String?

    enum CodingKeys: String, CodingKey {
        case type = "Type"
        case name = "Name"
        case source = "Source"
        case destination = "Destination"
        case driver = "Driver"
        case mode = "Mode"
        case rw = "RW"
        case propagation = "Propagation"
    }
}
