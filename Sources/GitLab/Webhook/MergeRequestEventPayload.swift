// slipway — GitLab
// SPDX-License-Identifier: Apache-2.0

/// The fields of a `Merge Request Hook` body that start (or skip) a pipeline.
struct MergeRequestEventPayload: Decodable, Sendable {
    var user: User?
    var objectAttributes: Attributes

    struct User: Decodable, Sendable {
        var username: String?
    }

    struct Attributes: Decodable, Sendable {
        var iid: Int
        var action: String?
        /// Present only when the update pushed code (new commits, an applied suggestion).
        var oldrev: String?
        var sourceBranch: String
        var targetBranch: String
        var sourceProjectID: Int?
        var targetProjectID: Int?
        var title: String?
        var lastCommit: Commit?
        var source: Repository?

        struct Commit: Decodable, Sendable {
            var id: String
            var message: String?
        }

        struct Repository: Decodable, Sendable {
            var gitHTTPURL: String?
            enum CodingKeys: String, CodingKey { case gitHTTPURL = "git_http_url" }
        }

        enum CodingKeys: String, CodingKey {
            case iid, action, oldrev, title, source
            case sourceBranch = "source_branch"
            case targetBranch = "target_branch"
            case sourceProjectID = "source_project_id"
            case targetProjectID = "target_project_id"
            case lastCommit = "last_commit"
        }
    }

    enum CodingKeys: String, CodingKey {
        case user
        case objectAttributes = "object_attributes"
    }
}
