// slipway — GitLab
// SPDX-License-Identifier: Apache-2.0

extension PlannedJob {
    /// The job's full environment: the pipeline's predefined variables
    /// (``PredefinedVariables/pipeline(_:pipelineID:)``), the job's own `CI_JOB_*` and
    /// `CI_PROJECT_DIR`, the file's variables expanded, and the project's variables on top.
    public func environment(pipelineVariables: [String: String], jobID: Int64, projectDirectory: String,
                            projectVariables: [ProjectVariable]) -> [String: String] {
        let base = pipelineVariables.merging(
            PredefinedVariables.job(name: self.name, stage: self.stage, jobID: jobID, projectDirectory: projectDirectory)) { _, new in new }
        return VariableExpansion.resolve(base: base, yaml: self.variables, overrides: projectVariables)
    }
}
