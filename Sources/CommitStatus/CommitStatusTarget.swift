// slipway — CommitStatus
// SPDX-License-Identifier: Apache-2.0

/// Which GitLab commit status a job reports to: the instance, the project, the commit, the ref
/// and the status name.
///
/// Callers that start jobs from GitLab (the webhook intake) make one per job; the reporter
/// posts each of the job's states to it.
/// ```swift
/// let target = CommitStatusTarget(gitlabURL: "https://gitlab.example.com", projectID: "42",
///                                 sha: "1b2c…", ref: "main", name: "build")
/// ```
public struct CommitStatusTarget: Sendable, Hashable, Codable {
    /// The GitLab instance: `https://gitlab.example.com`, or with a relative URL root
    /// (`https://example.com/gitlab`).
    public var gitlabURL: String
    /// The project's numeric id (`project.id` in a webhook) or its path (`group/name`).
    public var projectID: String
    /// The commit: for tags the dereferenced `checkout_sha`, never the tag object.
    public var sha: String
    /// The branch or tag name without `refs/heads/` or `refs/tags/`. Always sent: without it
    /// GitLab guesses (the first branch containing the commit).
    public var ref: String
    /// The status name (GitLab's `name`/`context`): the job's name. One status line per name.
    public var name: String
    /// GitLab's pipeline to attach the status to, when known. When `nil` the outbox sends the
    /// one GitLab returned for an earlier status of the same project, commit and ref, so all
    /// of a pipeline's jobs land in one external pipeline.
    public var pipelineID: Int64?
    /// The project's path (`group/name`), when ``projectID`` is numeric: lets a
    /// `projects[].status_token` keyed by path apply.
    public var projectPath: String?

    public init(gitlabURL: String, projectID: String, sha: String, ref: String, name: String, pipelineID: Int64? = nil, projectPath: String? = nil) {
        self.gitlabURL = gitlabURL
        self.projectID = projectID
        self.sha = sha
        self.ref = ref
        self.name = name
        self.pipelineID = pipelineID
        self.projectPath = projectPath
    }

    /// The states of one stream are delivered one after another, in order: GitLab applies
    /// each as a transition of the status with this (project, commit, name), and a reordered
    /// `running` after `success` would start a phantom new run (reference: gitlab-webhooks.md
    /// §5, "Serialise status POSTs per (project, sha, name)").
    public var streamKey: String {
        "\(self.gitlabURL)|\(self.projectID)|\(self.sha)|\(self.name)"
    }
}
