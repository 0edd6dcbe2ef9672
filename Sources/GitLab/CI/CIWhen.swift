// slipway — GitLab
// SPDX-License-Identifier: Apache-2.0

/// When a job runs, relative to the stages before it (`when:` on a job or a rule).
public enum CIWhen: String, Sendable, Hashable, Codable, CaseIterable {
    /// Only if every job of the earlier stages succeeded (or was allowed to fail). The default.
    case onSuccess = "on_success"
    /// Only if a job of an earlier stage failed.
    case onFailure = "on_failure"
    /// Whatever happened before.
    case always
    /// Not at all: the job is left out of the pipeline.
    case never
}
