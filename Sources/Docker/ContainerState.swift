// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

/// A container's run state, from inspect.
public struct ContainerState: Decodable, Sendable, Hashable {
    /// `created`, `running`, `paused`, `restarting`, `removing`, `exited` or `dead`.
    public var status: String?
    public var running: Bool?
    public var paused: Bool?
    public var restarting: Bool?
    public var oomKilled: Bool?
    public var dead: Bool?
    /// The main process's PID on the host (0 when not running).
    public var pid: Int?
    public var exitCode: Int?
    /// Why the container could not start, if it could not.
    public var error: String?
    public var startedAt: String?
    public var finishedAt: String?

    enum CodingKeys: String, CodingKey {
        case status = "Status"
        case running = "Running"
        case paused = "Paused"
        case restarting = "Restarting"
        case oomKilled = "OOMKilled"
        case dead = "Dead"
        case pid = "Pid"
        case exitCode = "ExitCode"
        case error = "Error"
        case startedAt = "StartedAt"
        case finishedAt = "FinishedAt"
    }
}
