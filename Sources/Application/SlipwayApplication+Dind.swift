// slipway — Application
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import Jobs
import Store

extension SlipwayApplication {
    /// The directory for the dind daemons' sockets, created if needed: `socket_dir`, by default
    /// `<data_dir>/dind`, which must be short enough for Unix socket paths. `nil` without a
    /// dind pool. Creates directories: call it off the cooperative pool.
    static func dindDirectories(_ configuration: SlipwayConfiguration, dataDirectory: String) throws -> DirectoryDaemonDirectories? {
        guard let pool = configuration.workers.dind, pool.concurrency > 0 else { return nil }
        do {
            return try DirectoryDaemonDirectories(root: pool.socketDirectory ?? "\(dataDirectory)/dind")
        } catch {
            throw ConfigurationError("workers.dind: \(error)")
        }
    }

    /// The dind worker `workers.dind` describes, or `nil` without that section (or with
    /// `concurrency: 0`), its daemons' sockets in `directories` (``dindDirectories(_:dataDirectory:)``).
    static func makeDindWorker(_ configuration: SlipwayConfiguration, directories: DirectoryDaemonDirectories?, instance: String,
                               runtime: any ContainerRuntime, workspaces: any WorkspaceManager, workspaceRoot: String) throws -> DindWorker? {
        guard let pool = configuration.workers.dind, pool.concurrency > 0, let directories else { return nil }
        var dind = DindWorkerConfiguration(image: pool.image, instance: instance)
        dind.privileged = pool.privileged
        dind.daemonArguments = pool.daemonArguments
        // A non-root slipway (the container image runs as uid 10001) must be able to reach each
        // daemon's socket: the daemon gives its socket to our group.
        if geteuid() != 0, !pool.daemonArguments.contains(where: { $0.hasPrefix("--group") || $0 == "-G" }) {
            dind.daemonArguments.append("--group=\(getegid())")
        }
        dind.networkMode = pool.network
        dind.memoryBytes = pool.memoryBytes
        dind.nanoCPUs = pool.cpus.map { Int64($0 * 1e9) }
        dind.startupDeadline = pool.startupDeadline
        dind.startAttempts = pool.startAttempts
        dind.warm = pool.warm
        dind.cache = pool.cache
        dind.cacheMaximumBytes = pool.cacheMaximumBytes
        dind.cacheBudgetBytes = pool.cacheBudgetBytes
        dind.workspaceRoot = workspaceRoot
        dind.stopGracePeriod = configuration.workers.stopGracePeriod
        return DindWorker(configuration: dind, runtime: runtime, workspaces: workspaces, directories: directories)
    }
}
