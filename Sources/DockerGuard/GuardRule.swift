// slipway — DockerGuard
// SPDX-License-Identifier: Apache-2.0

/// A rule of the guarded Docker socket. Its raw value is the name refusals quote and the
/// configuration uses to relax it for a project (`workers.host.guard.projects[].allow`).
public enum GuardRule: String, Sendable, Hashable, CaseIterable {
    /// `Privileged` containers and privileged `exec`s.
    case privileged
    /// Capabilities added beyond the configured allow-list.
    case capabilities
    /// The host's PID, IPC, UTS, network or user namespace (`--pid=host`, `--network=host`, …),
    /// for containers and for builds.
    case hostNamespaces = "host-namespaces"
    /// Devices, device cgroup rules and device requests (GPUs).
    case devices
    /// Security options that switch confinement off: `seccomp=unconfined` or a custom profile,
    /// AppArmor other than `docker-default`, `label=disable`, `systempaths=unconfined`.
    case securityOptions = "security-options"
    /// Bind mounts of host paths outside the job's workspace, and volumes whose driver options
    /// mount a host path or a network share.
    case bindMounts = "bind-mounts"
    /// The engine's real socket (or a directory holding it), and other jobs' guarded sockets.
    case dockerSocket = "docker-socket"
    /// A cgroup parent, which would move the container out from under its limits.
    case cgroupParent = "cgroup-parent"
    /// An OCI runtime other than the engine's default.
    case runtime
    /// Volume drivers other than `local` (plugins).
    case volumeDrivers = "volume-drivers"
    /// Network drivers other than `bridge`, swarm networks, and a bridge on a host interface.
    case networkDrivers = "network-drivers"
    /// The pool's memory, CPU and process limits on every container; no OOM-killer exemption.
    case resourceLimits = "resource-limits"
    /// A restart policy on a container that binds a directory inside the workspace: the engine
    /// would mount the path again on every restart, after the job may have replaced it.
    case restartPolicies = "restart-policies"
    /// Pruning the shared image store or build cache.
    case sharedCache = "shared-cache"
    /// Removing an image tag the job did not create.
    case imageRemoval = "image-removal"

    // Not relaxable: they keep the guard itself sound.

    /// Labels in slipway's namespace (`slipway.*`), which mark what belongs to which job.
    case reservedLabels = "reserved-labels"
    /// An endpoint the guard does not serve (swarm, plugins, …).
    case endpoint
    /// API versions below 1.24, which accept host settings where the guard does not look.
    case apiVersion = "api-version"

    /// Whether an operator may relax the rule for a project.
    public var isRelaxable: Bool {
        switch self {
        case .reservedLabels, .endpoint, .apiVersion: false
        default: true
        }
    }
}
