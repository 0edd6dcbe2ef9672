// slipway — DockerGuard
// SPDX-License-Identifier: Apache-2.0

/// The rules on a container's host configuration: what it may reach of the host.
extension RequestGuard {
    /// The JSON names of `container.HostConfig`'s fields (its embedded `Resources` included).
    /// The engine also reads them at the top level of a create body (a deprecated form it
    /// still honours), so they are gathered from there too.
    static let hostConfigFields: [String] = [
        "Binds", "ContainerIDFile", "LogConfig", "NetworkMode", "PortBindings", "RestartPolicy", "AutoRemove", "VolumeDriver",
        "VolumesFrom", "CapAdd", "CapDrop", "Capabilities", "CgroupnsMode", "Dns", "DnsOptions", "DnsSearch", "ExtraHosts", "GroupAdd",
        "IpcMode", "Cgroup", "Links", "OomScoreAdj", "PidMode", "Privileged", "PublishAllPorts", "ReadonlyRootfs", "SecurityOpt",
        "StorageOpt", "Tmpfs", "UTSMode", "UsernsMode", "ShmSize", "Sysctls", "Runtime", "ConsoleSize", "Isolation", "CpuShares",
        "Memory", "NanoCpus", "CgroupParent", "BlkioWeight", "BlkioWeightDevice", "BlkioDeviceReadBps", "BlkioDeviceWriteBps",
        "BlkioDeviceReadIOps", "BlkioDeviceWriteIOps", "CpuPeriod", "CpuQuota", "CpuRealtimePeriod", "CpuRealtimeRuntime",
        "CpusetCpus", "CpusetMems", "Devices", "DeviceCgroupRules", "DeviceRequests", "KernelMemory", "KernelMemoryTCP",
        "MemoryReservation", "MemorySwap", "MemorySwappiness", "OomKillDisable", "PidsLimit", "Ulimits", "CpuCount", "CpuPercent",
        "IOMaximumIOps", "IOMaximumBandwidth", "Mounts", "MaskedPaths", "ReadonlyPaths", "Init",
    ]

    /// The five fields the engine copies from the top level into an explicit `HostConfig` when
    /// that one leaves them zero (`runconfig.ContainerConfigWrapper.getHostConfig`).
    private static let inheritedHostConfigFields = ["Memory", "MemorySwap", "CpuShares", "CpusetCpus", "VolumeDriver"]

    /// Moves the host configuration of a create body into one canonical `HostConfig` member,
    /// reproducing how the engine merges the two places it reads it from, and returns it.
    ///
    /// The engine uses the explicit `HostConfig` when there is one, else the host fields at the
    /// top level; with both, it fills five zero fields of the explicit one from the top level,
    /// and the deprecated top-level `Cpuset` fills an empty `CpusetCpus`.
    static func normalizingHostConfig(_ body: inout JSONTree) throws(GuardRefusal) -> JSONTree {
        guard case .object(let members) = body else { throw GuardRefusal.badRequest("the request body must be a JSON object") }
        let folded = Set(Self.hostConfigFields.map { $0.lowercased() })
        var topLevel: [JSONTree.Member] = []
        var rest: [JSONTree.Member] = []
        for member in members {
            if folded.contains(JSONTree.foldedKey(member.key)) { topLevel.append(member) } else { rest.append(member) }
        }
        let topLevelObject = JSONTree.object(topLevel)
        // Each top-level field once: `field(_:in:)` refuses duplicates.
        for name in Self.hostConfigFields { _ = try topLevelObject.field(name, in: "") }
        let cpuset = try body.string("Cpuset", in: "")
        var host: JSONTree
        if let inner = try body.object("HostConfig", in: "") {
            host = inner
            for name in Self.inheritedHostConfigFields {
                guard let outer = try topLevelObject.field(name, in: ""), !Self.isZero(outer) else { continue }
                if try host.field(name, in: "HostConfig").map(Self.isZero) ?? true { host.setField(name, outer) }
            }
        } else {
            host = topLevelObject
        }
        if let cpuset, !cpuset.isEmpty, (try host.string("CpusetCpus", in: "HostConfig") ?? "").isEmpty {
            host.setField("CpusetCpus", .string(cpuset))
        }
        body = .object(rest)
        body.setField("Cpuset", nil)
        return host
    }

    private static func isZero(_ value: JSONTree) -> Bool {
        switch value {
        case .null: true
        case .number(let text): Double(text) == 0
        case .string(let text): text.isEmpty
        case .bool(let flag): !flag
        default: false
        }
    }

    // MARK: - The checks

    /// Checks and rewrites a container's host configuration; returns the host paths it binds.
    ///
    /// - Parameter creating: a create (absent limits get the pool's), not an update (absent
    ///   means unchanged).
    func checkHostConfig(_ host: inout JSONTree, creating: Bool, _ lookups: inout Lookups) throws(GuardRefusal) -> [String] {
        let path = "HostConfig"
        if self.policy.enforces(.privileged), try host.bool("Privileged", in: path) == true {
            throw GuardRefusal.forbidden(.privileged, "privileged containers (--privileged) have full access to the host")
        }
        try self.checkCapabilities(host, in: path)
        try self.checkNamespaces(&host, in: path, &lookups)
        try self.checkDevices(host, in: path)
        try self.checkSecurityOptions(host, in: path)
        if self.policy.enforces(.cgroupParent), let parent = try host.string("CgroupParent", in: path), !parent.isEmpty {
            throw GuardRefusal.forbidden(.cgroupParent, "--cgroup-parent would move the container out from under the job's limits")
        }
        if self.policy.enforces(.runtime), let runtime = try host.string("Runtime", in: path), !runtime.isEmpty, runtime != "runc" {
            throw GuardRefusal.forbidden(.runtime, "the OCI runtime '\(runtime)' is not the engine's default (runc)")
        }
        let binds = try self.checkMounts(&host, in: path, &lookups)
        try self.checkLinkedContainers(&host, in: path, &lookups)
        try self.applyLimits(&host, creating: creating, in: path)
        if self.policy.enforces(.restartPolicies), self.hasWorkspaceSubpath(binds), let policy = try host.object("RestartPolicy", in: path),
           let name = try policy.string("Name", in: "\(path).RestartPolicy"), !name.isEmpty, name != "no" {
            throw GuardRefusal.forbidden(.restartPolicies, "a container that bind-mounts a directory inside the workspace cannot have a restart policy ('\(name)'): the engine would mount the path again on every restart without slipway checking it; bind the workspace itself, or drop --restart")
        }
        return binds
    }

    private func checkCapabilities(_ host: JSONTree, in path: String) throws(GuardRefusal) {
        guard self.policy.enforces(.capabilities) else { return }
        for field in ["CapAdd", "Capabilities"] {
            for capability in try host.stringOrStrings(field, in: path) ?? [] {
                var name = capability.uppercased()
                if name.hasPrefix("CAP_") { name.removeFirst(4) }
                guard self.policy.allowedCapabilities.contains(name) else {
                    throw GuardRefusal.forbidden(.capabilities, "the capability \(capability) (--cap-add) is not on this installation's allow-list (\(self.policy.allowedCapabilities.sorted().joined(separator: ", ")))")
                }
            }
        }
    }

    /// PID, IPC, UTS, user, cgroup and network namespaces: never the host's; another
    /// container's only if the job owns it (and then by ID).
    private func checkNamespaces(_ host: inout JSONTree, in path: String, _ lookups: inout Lookups) throws(GuardRefusal) {
        let modes: [(field: String, option: String)] = [
            ("NetworkMode", "--network"), ("PidMode", "--pid"), ("IpcMode", "--ipc"), ("UTSMode", "--uts"), ("UsernsMode", "--userns"),
            ("Cgroup", "--cgroup"),
        ]
        for (field, option) in modes {
            guard let mode = try host.string(field, in: path), !mode.isEmpty else { continue }
            if mode == "host" {
                if self.policy.enforces(.hostNamespaces) {
                    throw GuardRefusal.forbidden(.hostNamespaces, "\(option)=host shares the host's namespace with the container")
                }
                continue
            }
            if mode.hasPrefix("container:") {
                let reference = String(mode.dropFirst("container:".count))
                if let facts = try lookups.ownedContainer(reference) { host.setField(field, .string("container:\(facts.id)")) }
                continue
            }
            if field == "NetworkMode", !["bridge", "default", "none"].contains(mode) {
                _ = try lookups.ownedNetwork(mode)
            }
        }
    }

    private func checkDevices(_ host: JSONTree, in path: String) throws(GuardRefusal) {
        guard self.policy.enforces(.devices) else { return }
        for (field, option) in [("Devices", "--device"), ("DeviceCgroupRules", "--device-cgroup-rule"), ("DeviceRequests", "--gpus")] {
            if let value = try host.field(field, in: path), case .array(let items) = value, !items.isEmpty {
                throw GuardRefusal.forbidden(.devices, "host devices (\(option)) are not available to a job's containers")
            }
        }
    }

    /// What switches confinement off. The engine splits each option at its first `=`, or its
    /// first `:` in the older form.
    private func checkSecurityOptions(_ host: JSONTree, in path: String) throws(GuardRefusal) {
        guard self.policy.enforces(.securityOptions) else { return }
        for option in try host.strings("SecurityOpt", in: path) ?? [] {
            let separator: Character = option.contains("=") ? "=" : ":"
            let parts = option.split(separator: separator, maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(parts[0])
            let value = parts.count > 1 ? String(parts[1]) : ""
            switch key {
            case "seccomp":
                let what = value == "unconfined" ? "seccomp=unconfined switches the system-call filter off" : "a custom seccomp profile may allow any system call"
                throw GuardRefusal.forbidden(.securityOptions, "--security-opt \(what); the engine's default profile applies")
            case "apparmor" where value != "docker-default":
                throw GuardRefusal.forbidden(.securityOptions, "--security-opt apparmor=\(value.prefix(64)): only the engine's docker-default profile is allowed")
            case "label" where value == "disable" || value.hasPrefix("type:"):
                throw GuardRefusal.forbidden(.securityOptions, "--security-opt label=\(value.prefix(64)) would lift SELinux confinement")
            case "systempaths" where value == "unconfined":
                throw GuardRefusal.forbidden(.securityOptions, "--security-opt systempaths=unconfined unmasks /proc and /sys paths of the host")
            default:
                continue
            }
        }
        for field in ["MaskedPaths", "ReadonlyPaths"] where try host.field(field, in: path) != nil {
            throw GuardRefusal.forbidden(.securityOptions, "\(path).\(field) would change which /proc and /sys paths are masked")
        }
    }

    // MARK: - Mounts

    /// Checks `Binds`, `Mounts`, `VolumeDriver` and `VolumesFrom`; rewrites bind sources to
    /// their normal form (and the standard socket path to the job's own socket); returns the
    /// host paths bound.
    private func checkMounts(_ host: inout JSONTree, in path: String, _ lookups: inout Lookups) throws(GuardRefusal) -> [String] {
        var sources: [String] = []
        if self.policy.enforces(.volumeDrivers), let driver = try host.string("VolumeDriver", in: path), !driver.isEmpty, driver != "local" {
            throw GuardRefusal.forbidden(.volumeDrivers, "the volume driver '\(driver)' is a plugin; only the local driver is available")
        }
        if let binds = try host.strings("Binds", in: path) {
            var rewritten: [JSONTree] = []
            for bind in binds {
                // The engine's Linux parser: `[source:]target[:mode]`, at most three parts.
                var parts = bind.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
                guard !parts[0].isEmpty, parts.count <= 3 else { throw GuardRefusal.badRequest("invalid volume specification '\(bind.prefix(200))'") }
                if parts.count >= 2 {
                    if parts[0].hasPrefix("/") {
                        parts[0] = try self.checkedBindSource(parts[0], option: "-v \(bind)", &lookups)
                        sources.append(parts[0])
                    } else {
                        try lookups.claimedVolume(parts[0])
                    }
                }
                rewritten.append(.string(parts.joined(separator: ":")))
            }
            host.setField("Binds", .array(rewritten))
        }
        if let mounts = try host.objects("Mounts", in: path) {
            var rewritten: [JSONTree] = []
            for (index, item) in mounts.enumerated() {
                var mount = item
                let mountPath = "\(path).Mounts[\(index)]"
                let type = try mount.string("Type", in: mountPath) ?? ""
                let source = try mount.string("Source", in: mountPath) ?? ""
                switch type {
                case "bind":
                    let checked = try self.checkedBindSource(source, option: "--mount type=bind,source=\(source)", &lookups)
                    mount.setField("Source", .string(checked))
                    sources.append(checked)
                case "volume":
                    var options = try mount.object("VolumeOptions", in: mountPath) ?? .object([])
                    if let driver = try options.object("DriverConfig", in: "\(mountPath).VolumeOptions") {
                        try self.checkVolumeDriver(driver: try driver.string("Name", in: "\(mountPath).VolumeOptions.DriverConfig"),
                                                   options: try driver.stringMap("Options", in: "\(mountPath).VolumeOptions.DriverConfig"))
                    }
                    if source.isEmpty {
                        // An anonymous volume is created with these labels.
                        options.setField("Labels", try self.labelled(try options.stringMap("Labels", in: "\(mountPath).VolumeOptions"), in: "\(mountPath).VolumeOptions.Labels"))
                        mount.setField("VolumeOptions", options)
                    } else {
                        try lookups.claimedVolume(source)
                    }
                case "tmpfs":
                    break
                default:
                    throw GuardRefusal.badRequest("\(mountPath).Type '\(type.prefix(32))' is not bind, volume or tmpfs")
                }
                rewritten.append(mount)
            }
            host.setField("Mounts", .array(rewritten))
        }
        if let volumesFrom = try host.strings("VolumesFrom", in: path) {
            var rewritten: [JSONTree] = []
            for entry in volumesFrom {
                let parts = entry.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
                let reference = String(parts[0])
                let mode = parts.count > 1 ? ":\(parts[1])" : ""
                let id = try lookups.ownedContainer(reference)?.id ?? reference
                rewritten.append(.string(id + mode))
            }
            host.setField("VolumesFrom", .array(rewritten))
        }
        return sources
    }

    /// The local driver's options that mount something other than a fresh directory or tmpfs.
    func checkVolumeDriver(driver: String?, options: [(key: String, value: String)]?) throws(GuardRefusal) {
        if self.policy.enforces(.volumeDrivers), let driver, !driver.isEmpty, driver != "local" {
            throw GuardRefusal.forbidden(.volumeDrivers, "the volume driver '\(driver)' is a plugin; only the local driver is available")
        }
        guard self.policy.enforces(.bindMounts), let options else { return }
        let type = options.last { $0.key == "type" }?.value ?? ""
        let mountOptions = options.last { $0.key == "o" }?.value ?? ""
        let hasDevice = options.contains { $0.key == "device" }
        let binds = mountOptions.split(separator: ",").contains { $0 == "bind" || $0 == "rbind" }
        if binds || (hasDevice && type != "tmpfs") {
            throw GuardRefusal.forbidden(.bindMounts, "volume options that mount a host path or a network share (type=\(type), device=…) are not available; use a plain volume, a tmpfs, or the workspace")
        }
    }

    /// A bind source checked and in normal form: the standard socket path becomes the job's
    /// own socket; the real engine socket and other jobs' sockets are refused; anything
    /// outside the workspace (and the operator's extra paths) is refused; a path inside the
    /// workspace is looked up on the host, since the job could have made one of its
    /// components a symbolic link to anywhere.
    func checkedBindSource(_ source: String, option: String, _ lookups: inout Lookups) throws(GuardRefusal) -> String {
        guard let normal = Self.normalizedHostPath(source) else {
            throw GuardRefusal.badRequest("the bind source '\(source.prefix(200))' must be an absolute path without '..'")
        }
        if normal == GuardPolicy.standardSocketPath || normal == self.policy.guardedSocketPath {
            return self.policy.guardedSocketPath
        }
        let socketPaths = Set([self.policy.engineSocketPath, "/run/docker.sock", GuardPolicy.standardSocketPath].compactMap { $0 }.compactMap(Self.normalizedHostPath))
        let guardDirectory = Self.normalizedHostPath(self.policy.guardedSocketDirectory) ?? self.policy.guardedSocketDirectory
        if self.policy.enforces(.dockerSocket), socketPaths.contains(normal) || Self.isSameOrBelow(normal, guardDirectory) {
            throw GuardRefusal.forbidden(.dockerSocket, "\(option) would give the container the engine's own socket (or another job's): mount /var/run/docker.sock, which is this job's guarded socket")
        }
        let workspace = Self.normalizedHostPath(self.policy.workspace) ?? self.policy.workspace
        let insideWorkspace = Self.isSameOrBelow(normal, workspace)
        let extra = self.policy.extraBindPaths.compactMap(Self.normalizedHostPath).contains { Self.isSameOrBelow(normal, $0) }
        if !insideWorkspace && !extra && self.policy.enforces(.bindMounts) {
            throw GuardRefusal.forbidden(.bindMounts, "\(option): the host path \(normal) is outside the job's workspace \(workspace); bind-mount the workspace or a path inside it (for example -v \"$PWD:/src\")")
        }
        if self.policy.enforces(.dockerSocket), socketPaths.contains(where: { Self.isSameOrBelow($0, normal) }) || Self.isSameOrBelow(guardDirectory, normal) {
            throw GuardRefusal.forbidden(.dockerSocket, "\(option): the host path \(normal) holds the engine's socket (or other jobs' sockets)")
        }
        if insideWorkspace && normal != workspace && self.policy.enforces(.bindMounts) {
            switch lookups.resolution(.workspacePath(normal)) {
            case .pathEscapes(let reason)?:
                throw GuardRefusal.forbidden(.bindMounts, "\(option): \(reason), which could lead outside the workspace; use real directories")
            default:
                break
            }
        }
        return normal
    }

    /// Whether a bind source is below (not at) the workspace: such a path is checked on the host.
    func hasWorkspaceSubpath(_ sources: [String]) -> Bool {
        let workspace = Self.normalizedHostPath(self.policy.workspace) ?? self.policy.workspace
        return sources.contains { $0 != workspace && Self.isSameOrBelow($0, workspace) }
    }

    /// `path` without `.` segments or repeated slashes; `nil` unless absolute and free of `..`
    /// (which the kernel resolves through symbolic links, not lexically).
    static func normalizedHostPath(_ path: String) -> String? {
        guard path.hasPrefix("/") else { return nil }
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            if segment == "." { continue }
            if segment == ".." { return nil }
            segments.append(segment)
        }
        return "/" + segments.joined(separator: "/")
    }

    static func isSameOrBelow(_ path: String, _ directory: String) -> Bool {
        directory == "/" || path == directory || path.hasPrefix(directory + "/")
    }

    // MARK: - Links

    /// Legacy links expose the linked container's environment: only the job's own.
    private func checkLinkedContainers(_ host: inout JSONTree, in path: String, _ lookups: inout Lookups) throws(GuardRefusal) {
        guard let links = try host.strings("Links", in: path) else { return }
        host.setField("Links", .array(try self.ownedLinks(links, &lookups).map(JSONTree.string)))
    }

    /// `name[:alias]` entries rewritten to `id:alias`.
    func ownedLinks(_ links: [String], _ lookups: inout Lookups) throws(GuardRefusal) -> [String] {
        var rewritten: [String] = []
        for link in links {
            let parts = link.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            var name = String(parts[0])
            if name.hasPrefix("/") { name.removeFirst() }
            let alias = parts.count > 1 ? String(parts[1]) : name
            let id = try lookups.ownedContainer(name)?.id ?? name
            rewritten.append("\(id):\(alias)")
        }
        return rewritten
    }

    // MARK: - Limits

    /// The pool's memory, CPU and process limits: absent or larger values become the pool's
    /// (on update, only values that are given). Swap is limited to the memory limit.
    private func applyLimits(_ host: inout JSONTree, creating: Bool, in path: String) throws(GuardRefusal) {
        guard self.policy.enforces(.resourceLimits) else { return }
        if let adjustment = try host.integer("OomScoreAdj", in: path), adjustment < 0 {
            throw GuardRefusal.forbidden(.resourceLimits, "a negative --oom-score-adj (\(adjustment)) would make the host's OOM killer pick other processes first")
        }
        if let limit = self.policy.memoryBytes {
            let requested = try host.integer("Memory", in: path)
            if creating || requested != nil {
                let memory = requested.map { $0 > 0 && $0 <= limit ? $0 : limit } ?? limit
                host.setField("Memory", .number(String(memory)))
                host.setField("MemorySwap", .number(String(memory)))
            } else if try host.integer("MemorySwap", in: path) != nil {
                host.setField("MemorySwap", nil)
            }
        } else if try host.bool("OomKillDisable", in: path) == true, (try host.integer("Memory", in: path) ?? 0) <= 0 {
            throw GuardRefusal.forbidden(.resourceLimits, "--oom-kill-disable without a memory limit could exhaust the host's memory")
        }
        if let limit = self.policy.nanoCPUs {
            var requested = try host.integer("NanoCpus", in: path)
            if let quota = try host.integer("CpuQuota", in: path), quota > 0 {
                let period = try host.integer("CpuPeriod", in: path).flatMap { $0 > 0 ? $0 : nil } ?? 100_000
                let (product, overflow) = quota.multipliedReportingOverflow(by: 1_000_000_000)
                requested = overflow ? Int64.max : product / period
            }
            if creating || requested != nil {
                let cpus = requested.map { $0 > 0 && $0 <= limit ? $0 : limit } ?? limit
                host.setField("CpuQuota", nil)
                host.setField("CpuPeriod", nil)
                host.setField("NanoCpus", .number(String(cpus)))
            }
        }
        if let limit = self.policy.pidsLimit {
            let requested = try host.integer("PidsLimit", in: path)
            if creating || requested != nil {
                let pids = requested.map { $0 > 0 && $0 <= limit ? $0 : limit } ?? limit
                host.setField("PidsLimit", .number(String(pids)))
            }
        }
    }
}
