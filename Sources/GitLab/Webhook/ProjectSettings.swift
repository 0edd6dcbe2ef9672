// slipway — GitLab
// SPDX-License-Identifier: Apache-2.0

/// What slipway knows about one GitLab project from its own configuration (`projects[]`).
public struct ProjectSettings: Sendable, Hashable {
    /// `path_with_namespace`, e.g. `group/subgroup/name`; matched against the payload's
    /// `project.path_with_namespace`.
    public var path: String
    /// GitLab's numeric project id; when set, a payload whose `project.id` matches is this
    /// project even after a rename.
    public var id: Int?
    /// The hook's "Secret token", compared in constant time with `X-Gitlab-Token`.
    public var webhookToken: String
    /// A token that can read the repository (a project access token with `read_repository`),
    /// handed to git through its environment only. `nil`: a public repository.
    public var cloneToken: String?
    /// Clones from here instead of the payload's `git_http_url` (a mirror, an internal address).
    public var cloneURL: String?
    /// Per-project CI/CD variables; the ones marked masked are hidden in job logs.
    public var variables: [ProjectVariable]

    public init(path: String, id: Int? = nil, webhookToken: String, cloneToken: String? = nil, cloneURL: String? = nil,
                variables: [ProjectVariable] = []) {
        self.path = path
        self.id = id
        self.webhookToken = webhookToken
        self.cloneToken = cloneToken
        self.cloneURL = cloneURL
        self.variables = variables
    }
}
