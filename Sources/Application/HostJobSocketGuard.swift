// slipway — Application
// SPDX-License-Identifier: Apache-2.0

import DockerGuard
import Jobs

/// The host worker's ``DockerSocketGuard``: a ``DockerGuard`` socket per job, under a policy
/// made from the job (its labels, workspace, project) and the host pool's settings.
final class HostJobSocketGuard: DockerSocketGuard {
    let dockerGuard: DockerGuard
    let pool: SlipwayConfiguration.WorkerSettings.HostPool
    let instance: String
    /// The engine's own socket, which no job may mount; `nil` for a TCP engine.
    let engineSocketPath: String?

    init(dockerGuard: DockerGuard, pool: SlipwayConfiguration.WorkerSettings.HostPool, instance: String, engineSocketPath: String?) {
        self.dockerGuard = dockerGuard
        self.pool = pool
        self.instance = instance
        self.engineSocketPath = engineSocketPath
    }

    static func key(for id: JobID) -> String { "job-\(id)" }

    func openSocket(for job: Job, workspace: String) async throws -> String? {
        let rules = self.pool.guardSettings.rules(for: job.specification.project)
        if (rules?.dockerAPI ?? self.pool.dockerAPI) == .full { return nil }
        let key = Self.key(for: job.id)
        let policy = self.policy(for: job, workspace: workspace, rules: rules, socketPath: self.dockerGuard.socketPath(for: key))
        return try await self.dockerGuard.open(key, policy: policy).path
    }

    func closeSocket(for id: JobID) async {
        await self.dockerGuard.close(Self.key(for: id))
    }

    func policy(for job: Job, workspace: String, rules: SlipwayConfiguration.WorkerSettings.HostPool.GuardSettings.ProjectRules?,
                socketPath: String) -> GuardPolicy {
        var policy = GuardPolicy(
            ownerLabels: ContainerLabels.owningJob(job.id, instance: self.instance),
            creationLabels: ContainerLabels.forJobObjects(job.id, instance: self.instance),
            workspace: workspace, engineSocketPath: self.engineSocketPath, guardedSocketPath: socketPath,
            guardedSocketDirectory: self.dockerGuard.settings.socketDirectory)
        policy.allowedCapabilities.formUnion(self.pool.guardSettings.allowedCapabilities)
        if let rules {
            policy.allowedCapabilities.formUnion(rules.allowedCapabilities)
            policy.relaxedRules = rules.allow
            policy.extraBindPaths = rules.bindPaths
        }
        policy.memoryBytes = self.pool.memoryBytes
        policy.nanoCPUs = self.pool.cpus.map { Int64($0 * 1e9) }
        policy.pidsLimit = self.pool.pidsLimit
        return policy
    }
}
