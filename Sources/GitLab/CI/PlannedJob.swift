// slipway — GitLab
// SPDX-License-Identifier: Apache-2.0

import Jobs

/// A job chosen for one pipeline, with everything a worker needs except the per-run values
/// (job id, workspace path) that ``environment(pipelineVariables:jobID:projectDirectory:projectVariables:)`` adds.
public struct PlannedJob: Sendable, Hashable {
    public var name: String
    public var stage: String
    /// The image, with `$VARIABLES` expanded; `nil` when neither the job nor `default:` names
    /// one (the caller's configured default image applies).
    public var image: String?
    public var beforeScript: [String]
    public var script: [String]
    public var afterScript: [String]
    /// Global, job and matching-rule variables in precedence order, not yet expanded.
    public var variables: [CIVariable]
    public var when: CIWhen
    public var allowFailure: Bool
    public var timeout: Duration?
    public var interruptible: Bool
    public var tags: [String]
    /// `.dind` when a `docker:*dind` service asks for it; otherwise `nil`, and ``tags`` (or the
    /// configured default) choose.
    public var worker: WorkerKind?

    public init(name: String, stage: String, image: String?, beforeScript: [String] = [], script: [String], afterScript: [String] = [],
                variables: [CIVariable] = [], when: CIWhen = .onSuccess, allowFailure: Bool = false, timeout: Duration? = nil,
                interruptible: Bool = false, tags: [String] = [], worker: WorkerKind? = nil) {
        self.name = name
        self.stage = stage
        self.image = image
        self.beforeScript = beforeScript
        self.script = script
        self.afterScript = afterScript
        self.variables = variables
        self.when = when
        self.allowFailure = allowFailure
        self.timeout = timeout
        self.interruptible = interruptible
        self.tags = tags
        self.worker = worker
    }

    /// The script lines to hand to the job (``JobSpecification/script``): `before_script`
    /// then `script`, run by `sh -e` so the first failure ends the job. With an
    /// `after_script`, a first line installs it as an EXIT trap: it then runs whether the
    /// script succeeded or failed, in a subshell from the starting directory, and its own
    /// failure does not change the job's result — GitLab Runner's semantics.
    public var commands: [String] {
        guard !self.afterScript.isEmpty else { return self.beforeScript + self.script }
        var body = "slipway_status=$?\nset +e\nprintf '%s\\n' 'Running after_script'\n(\ncd \"$slipway_start_dir\" || exit\n"
        for line in self.afterScript {
            body += "printf '%s\\n' \(JobScript.quote("$ " + line))\n\(line)\n"
        }
        body += ")\nexit $slipway_status"
        let trap = "slipway_start_dir=$PWD; trap \(JobScript.quote(body)) EXIT"
        return [trap] + self.beforeScript + self.script
    }

    /// Chooses the worker kind: a dind service means `.dind`; job `tags` must all be carried
    /// by the chosen kind's pool (GitLab's runner-tag rule); otherwise `defaultKind`.
    /// - Parameter poolTags: the tags each configured worker pool carries.
    /// - Throws: ``GitLabError`` (`configError`) when no pool carries the job's tags.
    public func workerKind(poolTags: [WorkerKind: Set<String>], default defaultKind: WorkerKind) throws -> WorkerKind {
        let candidates: [WorkerKind] = self.worker.map { [$0] } ?? ([defaultKind] + WorkerKind.allCases.filter { $0 != defaultKind })
        let wanted = Set(self.tags)
        if let kind = candidates.first(where: { wanted.isSubset(of: poolTags[$0] ?? []) }) { return kind }
        throw GitLabError(
            .configError,
            "job \(self.name): no \(self.worker.map { "\($0.rawValue) " } ?? "")worker pool carries the tags "
                + "\(self.tags.sorted().joined(separator: ", ")); add them to the pool's tags in slipway's configuration "
                + "or change the job's tags",
            keyword: "tags")
    }
}
