// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

/// A volume, as create, inspect and list report it.
public struct Volume: Decodable, Sendable, Hashable {
    public var name: String
    public var driver: String?
    /// Where its data lives on the daemon's host.
    public var mountpoint: String?
    public var labels: [String: String]?
    /// `local` or `global`.
    public var scope: String?
    public var createdAt: String?
    public var options: [String: String]?

    enum CodingKeys: String, CodingKey {
        case name = "Name"
        case driver = "Driver"
        case mountpoint = "Mountpoint"
        case labels = "Labels"
        case scope = "Scope"
        case createdAt = "CreatedAt"
        case options = "Options"
    }
}
