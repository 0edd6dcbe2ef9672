// slipway — Jobs
// SPDX-License-Identifier: Apache-2.0

/// A job of a pipeline with what its stage ordering needs: where it sits and when it may run.
public struct StagedJob: Sendable, Hashable {
    /// When a job runs relative to the stages before it (`.gitlab-ci.yml`'s `when:`).
    public enum When: String, Sendable, Hashable, Codable {
        /// Only if nothing before it failed (a failure allowed by `allow_failure` does not count).
        case onSuccess = "on_success"
        /// Only if something before it failed.
        case onFailure = "on_failure"
        /// Whatever happened before.
        case always
    }

    public var id: JobID
    /// The stage's position in the pipeline (0 first).
    public var stageIndex: Int
    public var when: When
    public var allowFailure: Bool
    /// Whether a newer pipeline for the same ref may cancel it while it runs.
    public var interruptible: Bool
    public var status: JobStatus

    public init(id: JobID, stageIndex: Int, when: When = .onSuccess, allowFailure: Bool = false, interruptible: Bool = false,
                status: JobStatus = .created) {
        self.id = id
        self.stageIndex = stageIndex
        self.when = when
        self.allowFailure = allowFailure
        self.interruptible = interruptible
        self.status = status
    }
}
