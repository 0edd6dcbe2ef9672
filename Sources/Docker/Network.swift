// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

/// A network, as create, inspect and list report it (the fields slipway reads).
public struct Network: Decodable, Sendable, Hashable {
    public var id: String
    public var name: String
    public var driver: String?
    public var labels: [String: String]?

    enum CodingKeys: String, CodingKey {
        case id = "Id"
        case name = "Name"
        case driver = "Driver"
        case labels = "Labels"
    }
}
