// slipway — Jobs
// SPDX-License-Identifier: Apache-2.0

/// Removes what a job created through its guarded Docker socket — containers, networks and
/// volumes carrying its labels (role ``ContainerLabels/guardedRole``) — when the job ends,
/// with a line in its log for each. Images stay: they are the shared layer cache.
public struct JobObjectCleanup: Sendable {
    public var runtime: any ContainerRuntime
    public var instance: String

    public init(runtime: any ContainerRuntime, instance: String) {
        self.runtime = runtime
        self.instance = instance
    }

    /// Removes job `id`'s objects, telling `note` about each. Runs to the end even when the
    /// calling task is canceled (a canceled job is exactly when its leftovers must go).
    public func removeObjects(of id: JobID, note: @escaping @Sendable (String) async -> Void) async {
        let runtime = self.runtime
        let labels = ContainerLabels.forJobObjects(id, instance: self.instance)
        await Task {
            // Containers first: they hold the networks and volumes.
            if let containers = await Self.attempt({ try await runtime.containers(labeled: labels) }, note: note, what: "list the job's containers") {
                for container in containers {
                    let name = container.name.map { "\($0) (\(container.id.prefix(12)))" } ?? String(container.id.prefix(12))
                    if await Self.attempt({ try await runtime.removeContainer(container.id) }, note: note, what: "remove container \(name)") != nil {
                        await note("removed container \(name), which the job left \(container.isRunning ? "running" : "behind")")
                    }
                }
            }
            if let networks = await Self.attempt({ try await runtime.networks(labeled: labels) }, note: note, what: "list the job's networks") {
                for network in networks {
                    if await Self.attempt({ try await runtime.removeNetwork(network.id) }, note: note, what: "remove network \(network.name)") != nil {
                        await note("removed network \(network.name), which the job left behind")
                    }
                }
            }
            if let volumes = await Self.attempt({ try await runtime.volumes(labeled: labels) }, note: note, what: "list the job's volumes") {
                for volume in volumes {
                    if await Self.attempt({ try await runtime.removeVolume(volume.name) }, note: note, what: "remove volume \(volume.name)") != nil {
                        await note("removed volume \(volume.name), which the job left behind")
                    }
                }
            }
        }.value
    }

    private static func attempt<T>(_ body: () async throws -> T, note: @Sendable (String) async -> Void, what: String) async -> T? {
        do {
            return try await body()
        } catch {
            await note("could not \(what): \(error)")
            return nil
        }
    }
}
