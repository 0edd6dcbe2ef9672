// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

/// One entry of `GET /containers/json`.
public struct ContainerSummary: Decodable, Sendable, Hashable {
    public var id: String
    /// Names with a leading `/`.
    public var names: [String]?
    public var image: String?
    public var imageID: String?
    public var command: String?
    /// Unix seconds.
    public var created: Int64?
    /// `created`, `running`, `exited`, …
    public var state: String?
    /// Human-readable, e.g. `Exited (0) 5 seconds ago`.
    public var status: String?
    public var labels: [String: String]?
    public var mounts: [MountPoint]?

    enum CodingKeys: String, CodingKey {
        case id = "Id"
        case names = "Names"
        case image = "Image"
        case imageID = "ImageID"
        case command = "Command"
        case created = "Created"
        case state = "State"
        case status = "Status"
        case labels = "Labels"
        case mounts = "Mounts"
    }
}
