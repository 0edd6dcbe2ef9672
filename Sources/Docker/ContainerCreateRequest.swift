// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

/// The body of `POST /containers/create`: the container's configuration, `HostConfig` and
/// `NetworkingConfig`. `nil` fields are left out, so the image's and engine's defaults apply.
public struct ContainerCreateRequest: Encodable, Sendable, Hashable {
    public var image: String
    public var cmd: [String]?
    /// `[""]` resets the image's entrypoint.
    public var entrypoint: [String]?
    /// `KEY=value` entries.
    public var env: [String]?
    public var workingDir: String?
    /// `user`, `uid`, `user:group` or `uid:gid`.
    public var user: String?
    public var labels: [String: String]?
    /// Allocate a pseudo-terminal: output is then raw, stdout and stderr merged. Keep it off
    /// for jobs so the two streams stay apart.
    public var tty: Bool?
    public var openStdin: Bool?
    public var stdinOnce: Bool?
    public var attachStdin: Bool?
    public var attachStdout: Bool?
    public var attachStderr: Bool?
    /// The signal `stop` sends first, e.g. `SIGTERM`.
    public var stopSignal: String?
    /// Seconds `stop` waits before SIGKILL when the call gives no timeout.
    public var stopTimeout: Int?
    public var hostname: String?
    /// `true` creates the container without the engine's network sandbox: runc still gives it
    /// a network namespace of its own with only `lo`, but the engine sets up no networking
    /// for it and writes no `/etc/hosts` or `/etc/resolv.conf` (the image's, usually empty,
    /// files show). Keep ``HostConfig/networkMode`` `none` alongside, so inspect and the CLI
    /// agree. The CLI cannot set it. See ``withNetworkSandboxSkipped`` for the cheap
    /// `none` slipway uses.
    public var networkDisabled: Bool?
    public var hostConfig: HostConfig?
    public var networkingConfig: NetworkingConfig?

    /// A request with the fields most calls set; assign the others as properties.
    public init(
        image: String,
        cmd: [String]? = nil,
        entrypoint: [String]? = nil,
        env: [String]? = nil,
        workingDir: String? = nil,
        user: String? = nil,
        labels: [String: String]? = nil,
        tty: Bool? = nil,
        hostConfig: HostConfig? = nil
    ) {
        self.image = image
        self.cmd = cmd
        self.entrypoint = entrypoint
        self.env = env
        self.workingDir = workingDir
        self.user = user
        self.labels = labels
        self.tty = tty
        self.hostConfig = hostConfig
    }

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
        case stdinOnce = "StdinOnce"
        case attachStdin = "AttachStdin"
        case attachStdout = "AttachStdout"
        case attachStderr = "AttachStderr"
        case stopSignal = "StopSignal"
        case stopTimeout = "StopTimeout"
        case hostname = "Hostname"
        case networkDisabled = "NetworkDisabled"
        case hostConfig = "HostConfig"
        case networkingConfig = "NetworkingConfig"
    }
}
