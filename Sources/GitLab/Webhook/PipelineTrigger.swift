// slipway — GitLab
// SPDX-License-Identifier: Apache-2.0

/// Everything about the event that starts a pipeline which the pipeline needs later: what to
/// fetch and build, and what the `CI_*` variables say. Made by ``WebhookReceiver`` from a
/// delivery, or by hand for `POST /v1/pipelines` (``Source/api``).
public struct PipelineTrigger: Sendable, Hashable {
    /// `CI_PIPELINE_SOURCE`.
    public enum Source: String, Sendable, Hashable, Codable {
        case push
        case mergeRequestEvent = "merge_request_event"
        case api
    }

    /// The GitLab project, as the payload describes it.
    public struct Project: Sendable, Hashable {
        public var id: Int
        /// `path_with_namespace`.
        public var path: String
        public var webURL: String?
        public var defaultBranch: String?

        public init(id: Int, path: String, webURL: String? = nil, defaultBranch: String? = nil) {
            self.id = id
            self.path = path
            self.webURL = webURL
            self.defaultBranch = defaultBranch
        }

        /// `CI_PROJECT_NAME`: the last path component.
        public var name: String { self.path.split(separator: "/").last.map(String.init) ?? self.path }
        /// `CI_PROJECT_NAMESPACE`: everything before the last path component.
        public var namespace: String {
            guard let slash = self.path.lastIndex(of: "/") else { return "" }
            return String(self.path[..<slash])
        }
    }

    /// The merge request a `merge_request_event` pipeline runs for.
    public struct MergeRequest: Sendable, Hashable {
        public var iid: Int
        public var sourceBranch: String
        public var targetBranch: String
        public var title: String?

        public init(iid: Int, sourceBranch: String, targetBranch: String, title: String? = nil) {
            self.iid = iid
            self.sourceBranch = sourceBranch
            self.targetBranch = targetBranch
            self.title = title
        }
    }

    public var source: Source
    public var project: Project
    /// For merge request pipelines, the source branch.
    public var ref: PipelineRef
    /// The commit to fetch, build and report on (a tag's dereferenced commit).
    public var sha: String
    /// `CI_COMMIT_BEFORE_SHA`: the previous head of the ref; 40 zeros for new refs, merge
    /// request and API pipelines, as GitLab sets it.
    public var beforeSHA: String
    /// The head commit's full message, when the payload carries it (a tag push or a branch
    /// created without new commits does not; read it from the checkout then).
    public var commitMessage: String?
    public var mergeRequest: MergeRequest?
    /// `GITLAB_USER_LOGIN`.
    public var userLogin: String?
    /// Where to fetch from (`git_http_url`, or the project's configured override). Never holds
    /// credentials.
    public var cloneURL: String

    public init(source: Source, project: Project, ref: PipelineRef, sha: String, beforeSHA: String = PipelineTrigger.zeroSHA,
                commitMessage: String? = nil, mergeRequest: MergeRequest? = nil, userLogin: String? = nil, cloneURL: String) {
        self.source = source
        self.project = project
        self.ref = ref
        self.sha = sha
        self.beforeSHA = beforeSHA
        self.commitMessage = commitMessage
        self.mergeRequest = mergeRequest
        self.userLogin = userLogin
        self.cloneURL = cloneURL
    }

    /// Git's "no commit": 40 zeros.
    public static let zeroSHA = String(repeating: "0", count: 40)

    /// A key that is equal for two events asking to build the same thing (a push and the merge
    /// request update it causes are different triggers; a re-sent push is the same one).
    public var buildKey: String {
        "\(self.project.id)|\(self.source.rawValue)|\(self.ref.fullRef)|\(self.sha)"
    }
}
