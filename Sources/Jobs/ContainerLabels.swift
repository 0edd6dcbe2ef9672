// slipway — Jobs
// SPDX-License-Identifier: Apache-2.0

/// The labels on everything slipway creates, so a restarted slipway can find and reap it.
public enum ContainerLabels {
    public static let managed = "slipway.managed"
    public static let job = "slipway.job"
    /// `job` for a job's container, `dind` for its daemon, `dind-data` for a daemon's data
    /// volume, `cache` for a project's layer-cache volume, `guarded` for what a job created
    /// through its guarded Docker socket.
    public static let role = "slipway.role"
    /// Which slipway installation created it (several may share one engine).
    public static let instance = "slipway.instance"
    /// The name of a per-job Docker daemon: on the daemon, its data volume and the job
    /// container that uses it (a warm daemon is created before its job is known, so the job
    /// container carries the link to its daemon).
    public static let daemon = "slipway.daemon"
    /// On a daemon: the layer-cache volume it uses, which outlives it.
    public static let cacheVolume = "slipway.cache"
    /// On a layer-cache volume: the project it belongs to.
    public static let project = "slipway.project"

    /// The role of what a job created through its guarded Docker socket.
    public static let guardedRole = "guarded"

    /// The labels by which a job's guarded socket recognises the job's own objects (the job
    /// container among them).
    public static func owningJob(_ id: JobID, instance: String) -> [String: String] {
        [self.managed: "true", self.job: id.description, self.instance: instance]
    }

    /// The labels of what job `id` created through its guarded socket.
    public static func forJobObjects(_ id: JobID, instance: String) -> [String: String] {
        self.forJob(id, role: self.guardedRole, instance: instance)
    }

    public static func forJob(_ id: JobID, role: String, instance: String) -> [String: String] {
        [self.managed: "true", self.job: id.description, self.role: role, self.instance: instance]
    }

    /// The labels of this installation's objects of `role` that belong to no job (yet).
    public static func forInstance(_ instance: String, role: String) -> [String: String] {
        [self.managed: "true", self.role: role, self.instance: instance]
    }
}
