// slipway — CommitStatus
// SPDX-License-Identifier: Apache-2.0

import Jobs

extension CommitStatusUpdate {
    /// The update that reports `job`'s current status to `target`.
    ///
    /// - Parameter publicURL: slipway's externally reachable URL (`public_url`); the status
    ///   links to the job's page there, where a person who clicks "details" sees its log.
    ///   `nil`: no link.
    public init(job: Job, target: CommitStatusTarget, publicURL: String?) {
        let state = CommitState(job.status)
        self.init(
            target: target, state: state, description: Self.describe(job),
            targetURL: publicURL.map { Self.jobURL(publicURL: $0, job: job.id) }
        )
    }

    /// `public_url` (with or without a trailing slash) joined with `/jobs/{id}`, the job's page
    /// (its JSON stays at `/v1/jobs/{id}`).
    public static func jobURL(publicURL: String, job: JobID) -> String {
        var base = publicURL
        while base.hasSuffix("/") { base.removeLast() }
        return "\(base)/jobs/\(job.rawValue)"
    }

    /// What GitLab shows next to the state: the reason for a failure, in the words the
    /// reference suggests (gitlab-webhooks.md §5, "put the reason in `description`").
    static func describe(_ job: Job) -> String {
        switch job.status {
        case .created, .pending: return "queued on slipway"
        case .running: return "running on slipway"
        case .success: return "passed"
        case .skipped: return "skipped"
        case .canceled:
            return job.failureReason == .autoCanceled ? "canceled: superseded by a newer pipeline" : "canceled"
        case .failed:
            switch job.failureReason {
            case .scriptFailure: return "failed: the script exited with status \(job.exitCode.map(String.init) ?? "non-zero")"
            case .jobExecutionTimeout: return "failed: the job ran past its timeout"
            case .runnerSystemFailure: return "failed: slipway or its Docker engine failed (not the job's fault)"
            case .imageNotFound: return "failed: the job's image was not found"
            case .configError: return "failed: the pipeline configuration is invalid"
            case .some(let reason): return "failed: \(reason.rawValue)"
            case nil: return "failed"
            }
        }
    }
}
