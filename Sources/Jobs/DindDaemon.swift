// slipway — Jobs
// SPDX-License-Identifier: Apache-2.0

/// A per-job Docker daemon: a container running `dockerd` whose socket lives in a host
/// directory of its own. Everything about it can be recovered from its name and labels, so a
/// restarted slipway can finish (or reap) what an earlier run started.
public struct DindDaemon: Sendable, Hashable {
    /// The container's name, its data volume's name and the value of its `slipway.daemon`
    /// label: `slipway-dind-<instance prefix>-<token>`.
    public var name: String
    public var containerID: String
    /// Names the daemon's host directory (`<socket dir>/<token>`).
    public var token: String
    /// The host directory holding `docker.sock`, mounted at the same path in the daemon.
    public var directory: String
    /// The volume at the daemon's `/var/lib/docker`.
    public var volume: String
    /// Whether ``volume`` is a project's layer cache (kept after the daemon is removed).
    public var usesCache: Bool

    public init(name: String, containerID: String, token: String, directory: String, volume: String, usesCache: Bool) {
        self.name = name
        self.containerID = containerID
        self.token = token
        self.directory = directory
        self.volume = volume
        self.usesCache = usesCache
    }

    /// The daemon's socket on the host.
    public var socketPath: String { "\(self.directory)/docker.sock" }

    /// The name of the daemon with `token` created by `instance`.
    public static func name(instance: String, token: String) -> String {
        "slipway-dind-\(instance.prefix(8))-\(token)"
    }

    /// The token in a daemon's name.
    public static func token(fromName name: String) -> String? {
        guard name.hasPrefix("slipway-dind-"), let dash = name.lastIndex(of: "-") else { return nil }
        let token = name[name.index(after: dash)...]
        return token.isEmpty ? nil : String(token)
    }
}
