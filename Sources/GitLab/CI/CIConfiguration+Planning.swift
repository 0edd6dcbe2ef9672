// slipway — GitLab
// SPDX-License-Identifier: Apache-2.0

import Jobs

extension CIConfiguration {
    /// Chooses the jobs that run for `trigger`, evaluating `rules`, `only`/`except` and `when`.
    ///
    /// `rules:if` sees the pipeline's predefined variables, `CI_JOB_NAME` and `CI_JOB_STAGE`,
    /// the file's global and job variables, and the project's variables (which win, as in GitLab).
    public func plan(for trigger: PipelineTrigger, pipelineID: Int64, projectVariables: [ProjectVariable] = []) -> PipelinePlan {
        let predefined = PredefinedVariables.pipeline(trigger, pipelineID: pipelineID)
        var stages: [PipelinePlan.Stage] = []
        for stage in self.stages {
            var planned: [PlannedJob] = []
            for job in self.jobs where job.stage == stage {
                let jobPredefined = predefined.merging(
                    PredefinedVariables.job(name: job.name, stage: job.stage, jobID: nil, projectDirectory: nil)) { _, new in new }
                let variables = VariableExpansion.resolve(
                    base: jobPredefined, yaml: self.variables + job.variables, overrides: projectVariables)
                guard let choice = Self.choose(job, trigger: trigger, variables: variables) else { continue }
                let imageVariables = VariableExpansion.resolve(
                    base: jobPredefined, yaml: self.variables + job.variables + choice.variables, overrides: projectVariables)
                planned.append(PlannedJob(
                    name: job.name, stage: job.stage,
                    image: job.image.map { VariableExpansion.expand($0, with: imageVariables) },
                    beforeScript: job.beforeScript, script: job.script, afterScript: job.afterScript,
                    variables: self.variables + job.variables + choice.variables,
                    when: choice.when, allowFailure: choice.allowFailure, timeout: job.timeout,
                    interruptible: job.interruptible, tags: job.tags,
                    worker: job.wantsDockerInDocker ? .dind : nil))
            }
            if !planned.isEmpty { stages.append(PipelinePlan.Stage(name: stage, jobs: planned)) }
        }
        return PipelinePlan(stages: stages)
    }

    private struct Choice {
        var when: CIWhen
        var allowFailure: Bool
        var variables: [CIVariable]
    }

    private static func choose(_ job: CIJob, trigger: PipelineTrigger, variables: [String: String]) -> Choice? {
        if let rules = job.rules {
            guard let rule = rules.first(where: { $0.condition?.evaluate(variables) ?? true }) else { return nil }
            let when = rule.when ?? job.when
            guard when != .never else { return nil }
            return Choice(when: when, allowFailure: rule.allowFailure ?? job.allowFailure ?? false, variables: rule.variables)
        }
        let only = job.only ?? RefFilter.defaultOnly
        guard only.matches(trigger), !(job.except?.matches(trigger) ?? false), job.when != .never else { return nil }
        return Choice(when: job.when, allowFailure: job.allowFailure ?? false, variables: [])
    }
}
