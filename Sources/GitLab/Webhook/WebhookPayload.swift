// slipway — GitLab
// SPDX-License-Identifier: Apache-2.0

/// The fields of a webhook body slipway reads, for every event: which kind of event it is and
/// which project it belongs to. Everything else GitLab sends is left undecoded.
struct WebhookPayload: Decodable, Sendable {
    var objectKind: String?
    var project: Project?
    /// Push and tag push bodies repeat the project id at the top level.
    var projectID: Int?

    struct Project: Decodable, Sendable, Hashable {
        var id: Int?
        var name: String?
        var pathWithNamespace: String?
        var webURL: String?
        var gitHTTPURL: String?
        var defaultBranch: String?

        enum CodingKeys: String, CodingKey {
            case id, name
            case pathWithNamespace = "path_with_namespace"
            case webURL = "web_url"
            case gitHTTPURL = "git_http_url"
            case defaultBranch = "default_branch"
        }
    }

    enum CodingKeys: String, CodingKey {
        case objectKind = "object_kind"
        case project
        case projectID = "project_id"
    }
}
