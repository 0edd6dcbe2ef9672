// slipway — Jobs
// SPDX-License-Identifier: Apache-2.0

/// A job's status, in GitLab's vocabulary.
public enum JobStatus: String, Sendable, Codable, CaseIterable, Hashable {
    /// Recorded, not yet eligible to run (e.g. waiting for an earlier stage).
    case created
    /// Waiting for a free worker slot.
    case pending
    /// Its container has started.
    case running
    case success
    case failed
    case canceled
    /// Will not run (an earlier stage failed, or its rules excluded it).
    case skipped

    /// Whether the job has reached a final status.
    public var isFinished: Bool {
        switch self {
        case .success, .failed, .canceled, .skipped: true
        case .created, .pending, .running: false
        }
    }
}

/// Why a job failed or was canceled, in GitLab's vocabulary (`failure_reason`).
public enum FailureReason: String, Sendable, Codable, CaseIterable, Hashable {
    /// The script exited with a non-zero status.
    case scriptFailure = "script_failure"
    /// The job ran longer than its timeout.
    case jobExecutionTimeout = "job_execution_timeout"
    /// slipway or the Docker engine failed; not the job's fault.
    case runnerSystemFailure = "runner_system_failure"
    /// Someone canceled it.
    case canceledByUser = "canceled_by_user"
    /// The job's image does not exist on the engine and could not be pulled.
    case imageNotFound = "image_not_found"
    /// The pipeline configuration is invalid.
    case configError = "config_error"
    /// A newer pipeline for the same ref superseded it.
    case autoCanceled = "auto_canceled"
    case unknownFailure = "unknown_failure"
}

/// Which kind of worker runs a job: the host daemon (shared, trusted projects) or a Docker
/// daemon of the job's own (dind).
public enum WorkerKind: String, Sendable, Codable, CaseIterable, Hashable {
    /// Shares the host's Docker daemon: fast and cached, for trusted projects only.
    case host
    /// Gets a Docker-in-Docker daemon of its own.
    case dind
}
