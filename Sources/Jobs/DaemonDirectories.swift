// slipway — Jobs
// SPDX-License-Identifier: Apache-2.0

/// Host directories, one per dind daemon, that hold the daemon's Unix socket. Each is mounted at
/// the same absolute path in the daemon container; the socket inside it is mounted at
/// `/var/run/docker.sock` in the job container. Kept short: a socket path must fit in the
/// 108 bytes of `sun_path`.
public protocol DaemonDirectories: Sendable {
    /// The absolute directory that holds every daemon's directory.
    var root: String { get }
    /// Creates (empty) and returns the absolute path of daemon `token`'s directory.
    func prepare(_ token: String) async throws -> String
    /// Removes daemon `token`'s directory; a missing one is not an error.
    func remove(_ token: String) async
    /// The tokens that have a directory on disk.
    func tokens() async -> [String]
}
