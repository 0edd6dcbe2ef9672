// slipway — DockerGuard
// SPDX-License-Identifier: Apache-2.0

/// Everything the guard of one job's socket decides with: whose objects are whose, where the
/// job's workspace and sockets are, which rules are relaxed and which limits apply. A value:
/// the rules in ``RequestGuard`` read it and do no I/O.
public struct GuardPolicy: Sendable, Hashable {
    /// The labels by which the job's objects are recognised.
    public var ownerLabels: [String: String]
    /// The labels everything the job creates gets: ``ownerLabels`` and more (its role).
    public var creationLabels: [String: String]
    /// The prefix of label keys the job may not set (`slipway.`).
    public var reservedLabelPrefix = "slipway."
    /// The job's workspace: a host path mounted at the same path in the job container.
    public var workspace: String
    /// The engine's real socket on the host.
    public var engineSocketPath: String?
    /// This job's guarded socket on the host: what `-v /var/run/docker.sock:…` becomes.
    public var guardedSocketPath: String
    /// The directory holding every job's guarded socket.
    public var guardedSocketDirectory: String
    /// Capabilities a container may add (upper case, without `CAP_`).
    public var allowedCapabilities: Set<String> = GuardPolicy.defaultCapabilities
    /// Rules relaxed for this job's project.
    public var relaxedRules: Set<GuardRule> = []
    /// Host paths outside the workspace that may be bind-mounted (operator's choice).
    public var extraBindPaths: [String] = []
    /// Limits applied to every container the job creates; `nil`: no limit.
    public var memoryBytes: Int64?
    public var nanoCPUs: Int64?
    public var pidsLimit: Int64?

    /// Docker's default capability set: adding one of these changes nothing.
    public static let defaultCapabilities: Set<String> = [
        "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE",
        "NET_RAW", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
    ]

    /// The path a job uses for the engine's socket inside its containers.
    public static let standardSocketPath = "/var/run/docker.sock"

    public init(ownerLabels: [String: String], creationLabels: [String: String]? = nil, workspace: String, engineSocketPath: String?,
                guardedSocketPath: String, guardedSocketDirectory: String) {
        self.ownerLabels = ownerLabels
        self.creationLabels = (creationLabels ?? [:]).merging(ownerLabels) { _, owner in owner }
        self.workspace = workspace
        self.engineSocketPath = engineSocketPath
        self.guardedSocketPath = guardedSocketPath
        self.guardedSocketDirectory = guardedSocketDirectory
    }

    /// Whether an object with `labels` belongs to this job.
    public func owns(labels: [String: String]) -> Bool {
        for (key, value) in self.ownerLabels where labels[key] != value { return false }
        return true
    }

    func enforces(_ rule: GuardRule) -> Bool { !self.relaxedRules.contains(rule) }

    /// The `label=key=value` filters that scope lists, events and prunes to the job.
    var ownerFilters: [String] {
        self.ownerLabels.keys.sorted().map { "\($0)=\(self.ownerLabels[$0]!)" }
    }
}
