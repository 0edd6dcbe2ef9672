// slipway — Jobs
// SPDX-License-Identifier: Apache-2.0

/// Serves a host-worker job a Docker socket of its own (`workers.host.docker_api: guarded`):
/// the job may only touch what it created, and what it created is labelled so it can be
/// removed when the job ends (``JobObjectCleanup``).
public protocol DockerSocketGuard: Sendable {
    /// Starts serving job `job`'s socket, whose workspace is `workspace`; returns the socket's
    /// host path, which the job container gets at `/var/run/docker.sock`. `nil`: this job gets
    /// the engine's own socket (its project is configured so).
    func openSocket(for job: Job, workspace: String) async throws -> String?

    /// Stops serving the job's socket and closes its connections.
    func closeSocket(for id: JobID) async
}
