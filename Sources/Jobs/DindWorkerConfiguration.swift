// slipway — Jobs
// SPDX-License-Identifier: Apache-2.0

/// How the dind worker starts and limits its per-job daemons (`workers.dind` in the
/// configuration).
public struct DindWorkerConfiguration: Sendable {
    /// Whether a project's daemons keep their layers between jobs.
    public enum CachePolicy: String, Sendable, Hashable, CaseIterable {
        /// Every daemon starts empty and its data is deleted with it.
        case none
        /// Each project gets a named volume for its daemons' `/var/lib/docker`, used by one of
        /// its jobs at a time. A job whose project's cache is in use runs on a fresh daemon
        /// without it rather than waiting (never two daemons on one data root).
        case perProject = "per-project"
    }

    /// The daemon image: `docker:<version>-dind` in deployments (pin it), anything with
    /// `dockerd` on its `PATH` and an entrypoint that runs its command.
    public var image: String
    /// Identifies this slipway installation in names and labels.
    public var instance: String
    /// `true`: daemons run with `Privileged` (real deployments). `false`: with the explicit
    /// capability set instead (all capabilities but SYS_RESOURCE, no seccomp or
    /// AppArmor profile, unmasked `/proc` and `/sys`, `/sys/fs/cgroup` bound read-write), for
    /// hosts where `Privileged` fails.
    public var privileged = true
    /// Appended to `dockerd --host=unix://…` (e.g. `--mtu=1400`, `--storage-driver=overlay2`,
    /// or `--bridge=none --iptables=false` on hosts without networking).
    public var daemonArguments: [String] = []
    /// Network mode of both the daemon and the job container.
    public var networkMode = "bridge"
    /// Memory limit of the daemon container (everything the job runs through it included) and,
    /// separately, of the job container.
    public var memoryBytes: Int64?
    /// CPU limit (1e-9 CPUs) of the daemon container and, separately, of the job container.
    public var nanoCPUs: Int64?
    /// How long a daemon may take to answer `/_ping` after its container starts.
    public var startupDeadline: Duration = .seconds(30)
    /// Fresh daemons tried before a job fails with `runner_system_failure`.
    public var startAttempts = 2
    /// Ready daemons kept started for jobs without a layer cache.
    public var warm = 0
    public var cache = CachePolicy.none
    /// A project's cache volume larger than this after a job is deleted (next job starts cold).
    public var cacheMaximumBytes: Int64?
    /// Least recently used cache volumes are deleted while all of them together use more.
    public var cacheBudgetBytes: Int64?
    /// The directory that holds every job workspace. Warm daemons are started before their job
    /// is known, so they mount this whole directory at its own path (a daemon started for one
    /// job mounts just that job's workspace); `nil` disables the warm pool.
    public var workspaceRoot: String?
    /// Between SIGTERM and SIGKILL when a job is stopped, and for a daemon whose cache is kept.
    public var stopGracePeriod: Duration = .seconds(10)
    /// Lines of a failed daemon's output copied into the job log.
    public var diagnosticLines = 40

    public init(image: String, instance: String) {
        self.image = image
        self.instance = instance
    }
}
