// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

/// `GET /exec/{id}/json`.
public struct ExecInspect: Decodable, Sendable, Hashable {
    public var id: String
    public var containerID: String?
    public var running: Bool
    /// `nil` until the process has exited.
    public var exitCode: Int?
    public var pid: Int?

    enum CodingKeys: String, CodingKey {
        case id = "ID"
        case containerID = "ContainerID"
        case running = "Running"
        case exitCode = "ExitCode"
        case pid = "Pid"
    }
}
