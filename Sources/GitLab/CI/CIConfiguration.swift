// slipway — GitLab
// SPDX-License-Identifier: Apache-2.0

/// A parsed `.gitlab-ci.yml`: the subset slipway runs, with everything else refused by name and
/// line rather than silently ignored.
///
/// ```swift
/// let configuration = try CIConfiguration.parse(yamlText)        // GitLabError.configError
/// let plan = configuration.plan(for: trigger, pipelineID: 42, projectVariables: project.variables)
/// for stage in plan.stages { … }
/// ```
///
/// Supported: `stages`, `default` (`image`, `before_script`, `after_script`, `timeout`,
/// `interruptible`, `tags`, `services`), `variables`, the old global `image`/`services`/
/// `before_script`/`after_script`, hidden jobs (`.name`), YAML anchors, aliases and `<<` merge
/// keys, and on jobs `stage`, `image`, `script`, `before_script`, `after_script`, `variables`,
/// `extends`, `rules` (`if`, `when`, `allow_failure`, `variables`), `only`/`except`, `when`,
/// `allow_failure`, `timeout`, `interruptible`, `tags`, `services`.
public struct CIConfiguration: Sendable, Hashable {
    /// Stage names in order, including the implicit `.pre` first and `.post` last.
    public var stages: [String]
    /// Global `variables:`.
    public var variables: [CIVariable]
    /// Visible jobs in file order (hidden `.templates` are not jobs).
    public var jobs: [CIJob]

    public init(stages: [String], variables: [CIVariable], jobs: [CIJob]) {
        self.stages = stages
        self.variables = variables
        self.jobs = jobs
    }

    /// GitLab's stages when the file lists none.
    public static let defaultStages = ["build", "test", "deploy"]
}
