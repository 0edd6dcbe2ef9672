// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

/// The body of `POST /containers/{id}/exec`.
public struct ExecCreateRequest: Encodable, Sendable, Hashable {
    public var cmd: [String]
    public var attachStdin: Bool?
    public var attachStdout: Bool?
    public var attachStderr: Bool?
    public var tty: Bool?
    /// `KEY=value` entries added to the container's environment.
    public var env: [String]?
    public var workingDir: String?
    public var user: String?
    public var privileged: Bool?

    /// An exec of `cmd` with stdout and stderr attached.
    public init(cmd: [String], attachStdin: Bool = false, tty: Bool = false, env: [String]? = nil, workingDir: String? = nil, user: String? = nil, privileged: Bool? = nil) {
        self.cmd = cmd
        self.attachStdin = attachStdin
        self.attachStdout = true
        self.attachStderr = true
        self.tty = tty
        self.env = env
        self.workingDir = workingDir
        self.user = user
        self.privileged = privileged
    }

    enum CodingKeys: String, CodingKey {
        case cmd = "Cmd"
        case attachStdin = "AttachStdin"
        case attachStdout = "AttachStdout"
        case attachStderr = "AttachStderr"
        case tty = "Tty"
        case env = "Env"
        case workingDir = "WorkingDir"
        case user = "User"
        case privileged = "Privileged"
    }
}
