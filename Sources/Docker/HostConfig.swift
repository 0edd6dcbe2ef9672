// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

/// A container's `HostConfig`: mounts, network, privileges and resource limits.
public struct HostConfig: Codable, Sendable, Hashable {
    /// Legacy `host-src:container-dest[:options]` strings. Prefer ``mounts``: a missing
    /// source here is created as a directory.
    public var binds: [String]?
    public var mounts: [Mount]?
    /// `none`, `host`, `bridge`, `container:<id>` or a network name.
    public var networkMode: String?
    /// Full access to the host: only for a dind daemon in real deployments.
    public var privileged: Bool?
    /// Capabilities to add, e.g. `ALL` or `NET_ADMIN`.
    public var capAdd: [String]?
    public var capDrop: [String]?
    /// E.g. `no-new-privileges`, `seccomp=unconfined`, `apparmor=unconfined`. (The CLI's
    /// `systempaths=unconfined` is not an engine option: set ``maskedPaths`` and
    /// ``readonlyPaths`` to `[]`.)
    public var securityOpt: [String]?
    /// Memory limit in bytes.
    public var memory: Int64?
    /// Memory plus swap in bytes; `-1` unlimited swap.
    public var memorySwap: Int64?
    /// CPU limit in units of 10⁻⁹ CPUs (`1_500_000_000` = 1.5 CPUs).
    public var nanoCPUs: Int64?
    /// Relative CPU weight.
    public var cpuShares: Int?
    public var cpuPeriod: Int64?
    public var cpuQuota: Int64?
    /// Process limit; `0` or `-1` unlimited.
    public var pidsLimit: Int64?
    /// Runs an init (tini) as PID 1 that forwards signals and reaps zombies.
    public var initProcess: Bool?
    /// Remove the container when it exits. slipway keeps this off and removes containers
    /// itself after `wait` and the log drain (a `wait` after an auto-removal gets 404).
    public var autoRemove: Bool?
    public var readonlyRootfs: Bool?
    /// Legacy tmpfs mounts: path → options (`size=64m,mode=1777`).
    public var tmpfs: [String: String]?
    public var shmSize: Int64?
    public var logConfig: LogConfig?
    /// `host:ip` entries for `/etc/hosts`.
    public var extraHosts: [String]?
    public var restartPolicy: RestartPolicy?
    public var usernsMode: String?
    public var oomKillDisable: Bool?
    /// Paths masked in the container (`/proc/kcore`, …). An empty list unmasks everything:
    /// what the CLI's `--security-opt systempaths=unconfined` sends (the engine itself does
    /// not understand that option).
    public var maskedPaths: [String]?
    /// Paths mounted read-only (`/proc/sys`, …); empty: none (`systempaths=unconfined`).
    public var readonlyPaths: [String]?

    /// A host configuration with the fields jobs set most; assign the others as properties.
    public init(
        mounts: [Mount]? = nil,
        networkMode: String? = nil,
        privileged: Bool? = nil,
        capAdd: [String]? = nil,
        capDrop: [String]? = nil,
        securityOpt: [String]? = nil,
        memory: Int64? = nil,
        nanoCPUs: Int64? = nil,
        pidsLimit: Int64? = nil,
        initProcess: Bool? = nil,
        autoRemove: Bool? = nil
    ) {
        self.mounts = mounts
        self.networkMode = networkMode
        self.privileged = privileged
        self.capAdd = capAdd
        self.capDrop = capDrop
        self.securityOpt = securityOpt
        self.memory = memory
        self.nanoCPUs = nanoCPUs
        self.pidsLimit = pidsLimit
        self.initProcess = initProcess
        self.autoRemove = autoRemove
    }

    /// The log driver; keep `json-file` or `journald` (or the default), or `/logs` stops
    /// working.
    public struct LogConfig: Codable, Sendable, Hashable {
        public var type: String?
        public var config: [String: String]?

        public init(type: String? = nil, config: [String: String]? = nil) {
            self.type = type
            self.config = config
        }

        enum CodingKeys: String, CodingKey {
            case type = "Type"
            case config = "Config"
        }
    }

    /// What the engine does when the container exits; slipway leaves it off.
    public struct RestartPolicy: Codable, Sendable, Hashable {
        /// `""`/`no`, `always`, `unless-stopped`, `on-failure`.
        public var name: String?
        public var maximumRetryCount: Int?

        public init(name: String? = nil, maximumRetryCount: Int? = nil) {
            self.name = name
            self.maximumRetryCount = maximumRetryCount
        }

        enum CodingKeys: String, CodingKey {
            case name = "Name"
            case maximumRetryCount = "MaximumRetryCount"
        }
    }

    enum CodingKeys: String, CodingKey {
        case binds = "Binds"
        case mounts = "Mounts"
        case networkMode = "NetworkMode"
        case privileged = "Privileged"
        case capAdd = "CapAdd"
        case capDrop = "CapDrop"
        case securityOpt = "SecurityOpt"
        case memory = "Memory"
        case memorySwap = "MemorySwap"
        case nanoCPUs = "NanoCpus"
        case cpuShares = "CpuShares"
        case cpuPeriod = "CpuPeriod"
        case cpuQuota = "CpuQuota"
        case pidsLimit = "PidsLimit"
        case initProcess = "Init"
        case autoRemove = "AutoRemove"
        case readonlyRootfs = "ReadonlyRootfs"
        case tmpfs = "Tmpfs"
        case shmSize = "ShmSize"
        case logConfig = "LogConfig"
        case extraHosts = "ExtraHosts"
        case restartPolicy = "RestartPolicy"
        case usernsMode = "UsernsMode"
        case oomKillDisable = "OomKillDisable"
        case maskedPaths = "MaskedPaths"
        case readonlyPaths = "ReadonlyPaths"
    }
}
