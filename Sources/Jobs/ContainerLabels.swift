// slipway — Jobs
// SPDX-License-Identifier: Apache-2.0

/// The labels on everything slipway creates, so a restarted slipway can find and reap it.
public enum ContainerLabels {
    public static let managed = "slipway.managed"
    public static let job = "slipway.job"
    /// `job` for a job's container, `dind` for its daemon.
    public static let role = "slipway.role"
    /// Which slipway installation created it (several may share one engine).
    public static let instance = "slipway.instance"

    public static func forJob(_ id: JobID, role: String, instance: String) -> [String: String] {
        [self.managed: "true", self.job: id.description, self.role: role, self.instance: instance]
    }
}
