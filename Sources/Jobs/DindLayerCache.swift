// slipway — Jobs
// SPDX-License-Identifier: Apache-2.0

/// The per-project layer caches: one named volume per project for its daemons'
/// `/var/lib/docker`, leased to one daemon at a time (two daemons must never share a data
/// root), capped in size, and trimmed least-recently-used first to a total budget.
///
/// A job whose project's cache is leased runs without it instead of waiting: it never holds a
/// worker slot idle, and its build is only as slow as a build without the cache.
public actor DindLayerCache {
    private let runtime: any ContainerRuntime
    private let instance: String
    private let maximumBytes: Int64?
    private let budgetBytes: Int64?
    private var leased: Set<String> = []
    /// Release order of volumes this process has used; volumes it has not (left by an earlier
    /// run) count as least recently used.
    private var lastUsed: [String: UInt64] = [:]
    private var useCounter: UInt64 = 0

    public init(runtime: any ContainerRuntime, instance: String, maximumBytes: Int64?, budgetBytes: Int64?) {
        self.runtime = runtime
        self.instance = instance
        self.maximumBytes = maximumBytes
        self.budgetBytes = budgetBytes
    }

    /// The cache volume of `project`: `slipway-cache-<instance>-<project, sanitised>-<hash>`.
    public static func volumeName(instance: String, project: String) -> String {
        var readable = String(project.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" }.prefix(40))
        while readable.hasSuffix("-") { readable.removeLast() }
        // FNV-1a: distinct projects that sanitise alike still get distinct volumes.
        var hash: UInt32 = 0x811C_9DC5
        for byte in project.utf8 { hash = (hash ^ UInt32(byte)) &* 0x0100_0193 }
        let hex = String(hash, radix: 16)
        return "slipway-cache-\(instance.prefix(8))-\(readable)-\(String(repeating: "0", count: 8 - hex.count))\(hex)"
    }

    /// Leases `project`'s cache volume, or returns `nil` while another daemon uses it.
    public func lease(project: String) -> String? {
        let volume = Self.volumeName(instance: self.instance, project: project)
        guard !self.leased.contains(volume) else { return nil }
        self.leased.insert(volume)
        return volume
    }

    /// Marks `volume` in use by a daemon that survived a restart of slipway.
    public func adopt(_ volume: String) {
        self.leased.insert(volume)
    }

    /// Returns a lease once its daemon is gone; then deletes the volume if it outgrew the cap,
    /// and the least recently used unleased volumes while all exceed the budget. Returns what
    /// it deleted, for the job log.
    @discardableResult
    public func release(_ volume: String) async -> [String] {
        self.leased.remove(volume)
        self.useCounter += 1
        self.lastUsed[volume] = self.useCounter
        guard self.maximumBytes != nil || self.budgetBytes != nil else { return [] }
        guard let sizes = try? await self.runtime.volumeSizes() else { return [] }
        var removed: [String] = []
        if let maximumBytes, let size = sizes[volume], size > maximumBytes, !self.leased.contains(volume) {
            if (try? await self.runtime.removeVolume(volume)) != nil {
                removed.append(volume)
                self.lastUsed[volume] = nil
            }
        }
        guard let budgetBytes else { return removed }
        let volumes = (try? await self.runtime.volumes(labeled: ContainerLabels.forInstance(self.instance, role: "cache"))) ?? []
        var candidates = volumes.map(\.name).filter { !removed.contains($0) }
        var total = candidates.reduce(Int64(0)) { $0 + (sizes[$1] ?? 0) }
        candidates.removeAll { self.leased.contains($0) }
        candidates.sort { (self.lastUsed[$0] ?? 0) < (self.lastUsed[$1] ?? 0) }
        for candidate in candidates where total > budgetBytes {
            if (try? await self.runtime.removeVolume(candidate)) != nil {
                total -= sizes[candidate] ?? 0
                removed.append(candidate)
                self.lastUsed[candidate] = nil
            }
        }
        return removed
    }

    /// Volumes currently leased (tests).
    public func leasedVolumes() -> Set<String> { self.leased }
}
