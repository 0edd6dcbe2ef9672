// slipway — Jobs
// SPDX-License-Identifier: Apache-2.0

/// A pipeline's status, aggregated from its jobs' statuses the way GitLab does it
/// (`Gitlab::Ci::Status::Composite`): the first rule that matches wins.
public enum PipelineStatus: String, Sendable, Codable, CaseIterable, Hashable {
    case created, pending, running, success, failed, canceled, skipped

    /// The aggregate of `statuses`; `created` for a pipeline without jobs.
    ///
    /// | jobs                                              | pipeline  |
    /// | ------------------------------------------------- | --------- |
    /// | only skipped                                      | skipped   |
    /// | only success or skipped                           | success   |
    /// | only created or skipped                           | created   |
    /// | only canceled, success or skipped                 | canceled  |
    /// | only pending, created or skipped                  | pending   |
    /// | any running or pending                            | running   |
    /// | any created (with finished ones)                  | running   |
    /// | otherwise (some failed)                           | failed    |
    public static func aggregate(_ statuses: some Sequence<JobStatus>) -> PipelineStatus {
        let present = Set(statuses)
        guard !present.isEmpty else { return .created }
        func only(_ allowed: Set<JobStatus>) -> Bool { present.isSubset(of: allowed) }
        if only([.skipped]) { return .skipped }
        if only([.success, .skipped]) { return .success }
        if only([.created, .skipped]) { return .created }
        if only([.canceled, .success, .skipped]) { return .canceled }
        if only([.pending, .created, .skipped]) { return .pending }
        if present.contains(.running) || present.contains(.pending) { return .running }
        if present.contains(.created) { return .running }
        return .failed
    }

    /// Whether every job of the pipeline has finished.
    public var isFinished: Bool {
        switch self {
        case .success, .failed, .canceled, .skipped: true
        case .created, .pending, .running: false
        }
    }
}
