// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

/// `GET /containers/{id}/json`: a container's configuration and state.
public struct ContainerInspect: Decodable, Sendable, Hashable {
    public var id: String
    /// With a leading `/`.
    public var name: String?
    public var created: String?
    public var path: String?
    public var args: [String]?
    public var state: ContainerState?
    /// The image's ID (`sha256:…`).
    public var image: String?
    public var restartCount: Int?
    public var config: ContainerConfig?
    public var hostConfig: HostConfig?
    public var mounts: [MountPoint]?

    enum CodingKeys: String, CodingKey {
        case id = "Id"
        case name = "Name"
        case created = "Created"
        case path = "Path"
        case args = "Args"
        case state = "State"
        case image = "Image"
        case restartCount = "RestartCount"
        case config = "Config"
        case hostConfig = "HostConfig"
        case mounts = "Mounts"
    }
}
