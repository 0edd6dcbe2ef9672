// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

/// The body of `POST /volumes/create`.
public struct VolumeCreateRequest: Encodable, Sendable, Hashable {
    /// `nil`: the engine picks a random name.
    public var name: String?
    public var driver: String?
    public var driverOpts: [String: String]?
    public var labels: [String: String]?

    public init(name: String? = nil, driver: String? = nil, driverOpts: [String: String]? = nil, labels: [String: String]? = nil) {
        self.name = name
        self.driver = driver
        self.driverOpts = driverOpts
        self.labels = labels
    }

    enum CodingKeys: String, CodingKey {
        case name = "Name"
        case driver = "Driver"
        case driverOpts = "DriverOpts"
        case labels = "Labels"
    }
}
