// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

/// A container's (or an image's default) configuration as the engine reports it in inspect
/// answers. Fields the engine sends as `null` are `nil`.
public struct ContainerConfig: Decodable, Sendable, Hashable {
    public var image: String?
    public var cmd: [String]?
    public var entrypoint: [String]?
    public var env: [String]?
    public var workingDir: String?
    public var user: String?
    public var labels: [String: String]?
    public var tty: Bool?
    public var openStdin: Bool?
    public var stopSignal: String?
    public var hostname: String?
    /// Created without the engine's network sandbox (see
    /// ``ContainerCreateRequest/networkDisabled``); the engine leaves it out otherwise.
    public var networkDisabled: Bool?

    enum CodingKeys: String, CodingKey {
        case image = "Image"
        case cmd = "Cmd"
        case entrypoint = "Entrypoint"
        case env = "Env"
        case workingDir = "WorkingDir"
        case user = "User"
        case labels = "Labels"
        case tty = "Tty"
        case openStdin = "OpenStdin"
        case stopSignal = "StopSignal"
        case hostname = "Hostname"
        case networkDisabled = "NetworkDisabled"
    }
}
