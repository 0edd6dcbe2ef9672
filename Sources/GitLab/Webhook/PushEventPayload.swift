// slipway — GitLab
// SPDX-License-Identifier: Apache-2.0

/// The fields of a `Push Hook` or `Tag Push Hook` body that start (or skip) a pipeline.
struct PushEventPayload: Decodable, Sendable {
    var ref: String
    var before: String?
    var after: String?
    /// The commit to build; `null` when the ref was deleted. For annotated tags this is the
    /// dereferenced commit, while `after` is the tag object.
    var checkoutSHA: String?
    var userUsername: String?
    /// At most the newest 20 commits, oldest first; empty for a branch created without new
    /// commits and for tags.
    var commits: [Commit]?
    var pushOptions: PushOptions?

    struct Commit: Decodable, Sendable {
        var id: String
        var message: String?
    }

    /// `git push -o ci.skip` arrives as `{"ci": {"skip": true}}`; an empty object otherwise.
    struct PushOptions: Decodable, Sendable {
        var ci: CI?
        struct CI: Decodable, Sendable {
            var skip: Bool?

            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                // Only presence matters to GitLab (`push_options[:ci][:skip]`); it is usually `true`.
                self.skip = container.contains(.skip) ? ((try? container.decode(Bool.self, forKey: .skip)) ?? true) : nil
            }

            enum CodingKeys: String, CodingKey { case skip }
        }
    }

    enum CodingKeys: String, CodingKey {
        case ref, before, after, commits
        case checkoutSHA = "checkout_sha"
        case userUsername = "user_username"
        case pushOptions = "push_options"
    }
}
