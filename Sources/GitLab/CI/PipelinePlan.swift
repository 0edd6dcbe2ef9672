// slipway — GitLab
// SPDX-License-Identifier: Apache-2.0

/// What one pipeline runs: its stages in order, each with the jobs whose rules chose them.
/// Stages run one after another, the jobs of a stage concurrently; after a failure, later
/// stages run only their `when: always` and `when: on_failure` jobs.
public struct PipelinePlan: Sendable, Hashable {
    /// A stage with at least one job (empty stages are left out, as GitLab shows them).
    public struct Stage: Sendable, Hashable {
        public var name: String
        public var jobs: [PlannedJob]

        public init(name: String, jobs: [PlannedJob]) {
            self.name = name
            self.jobs = jobs
        }
    }

    public var stages: [Stage]

    public init(stages: [Stage]) {
        self.stages = stages
    }

    /// Whether no job was chosen (GitLab creates no pipeline then; slipway records why).
    public var isEmpty: Bool { self.stages.isEmpty }

    /// All jobs in stage order.
    public var jobs: [PlannedJob] { self.stages.flatMap(\.jobs) }
}
