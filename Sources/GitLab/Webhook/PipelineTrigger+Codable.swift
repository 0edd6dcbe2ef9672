// slipway — GitLab
// SPDX-License-Identifier: Apache-2.0

/// A trigger is stored with its pipeline between the webhook's answer and the planning that
/// follows (possibly after a restart), as JSON in GitLab's field names.
extension PipelineTrigger: Codable {
    enum CodingKeys: String, CodingKey {
        case source, ref, sha
        case projectID = "project_id", projectPath = "project_path", projectURL = "project_url", defaultBranch = "default_branch"
        case beforeSHA = "before_sha", commitMessage = "commit_message", userLogin = "user_login", cloneURL = "clone_url"
        case mergeRequestIID = "merge_request_iid", sourceBranch = "source_branch", targetBranch = "target_branch"
        case mergeRequestTitle = "merge_request_title"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let fullRef = try container.decode(String.self, forKey: .ref)
        guard let ref = PipelineRef(fullRef: fullRef) else {
            throw DecodingError.dataCorruptedError(forKey: .ref, in: container, debugDescription: "\(fullRef) is not refs/heads/… or refs/tags/…")
        }
        var mergeRequest: MergeRequest?
        if let iid = try container.decodeIfPresent(Int.self, forKey: .mergeRequestIID) {
            mergeRequest = MergeRequest(
                iid: iid, sourceBranch: try container.decode(String.self, forKey: .sourceBranch),
                targetBranch: try container.decode(String.self, forKey: .targetBranch),
                title: try container.decodeIfPresent(String.self, forKey: .mergeRequestTitle))
        }
        self.init(
            source: try container.decode(Source.self, forKey: .source),
            project: Project(
                id: try container.decode(Int.self, forKey: .projectID), path: try container.decode(String.self, forKey: .projectPath),
                webURL: try container.decodeIfPresent(String.self, forKey: .projectURL),
                defaultBranch: try container.decodeIfPresent(String.self, forKey: .defaultBranch)),
            ref: ref, sha: try container.decode(String.self, forKey: .sha),
            beforeSHA: try container.decodeIfPresent(String.self, forKey: .beforeSHA) ?? Self.zeroSHA,
            commitMessage: try container.decodeIfPresent(String.self, forKey: .commitMessage), mergeRequest: mergeRequest,
            userLogin: try container.decodeIfPresent(String.self, forKey: .userLogin),
            cloneURL: try container.decode(String.self, forKey: .cloneURL))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.source, forKey: .source)
        try container.encode(self.ref.fullRef, forKey: .ref)
        try container.encode(self.sha, forKey: .sha)
        try container.encode(self.project.id, forKey: .projectID)
        try container.encode(self.project.path, forKey: .projectPath)
        try container.encodeIfPresent(self.project.webURL, forKey: .projectURL)
        try container.encodeIfPresent(self.project.defaultBranch, forKey: .defaultBranch)
        try container.encode(self.beforeSHA, forKey: .beforeSHA)
        try container.encodeIfPresent(self.commitMessage, forKey: .commitMessage)
        try container.encodeIfPresent(self.userLogin, forKey: .userLogin)
        try container.encode(self.cloneURL, forKey: .cloneURL)
        if let mergeRequest {
            try container.encode(mergeRequest.iid, forKey: .mergeRequestIID)
            try container.encode(mergeRequest.sourceBranch, forKey: .sourceBranch)
            try container.encode(mergeRequest.targetBranch, forKey: .targetBranch)
            try container.encodeIfPresent(mergeRequest.title, forKey: .mergeRequestTitle)
        }
    }
}
