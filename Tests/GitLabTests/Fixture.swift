// slipway — GitLab tests
// SPDX-License-Identifier: Apache-2.0

import Foundation
import GitLab

/// Webhook bodies from GitLab's documentation (see Fixtures/README.md).
enum Fixture {
    static func body(_ name: String) throws -> [UInt8] {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures") else {
            throw FixtureError(message: "no fixture \(name).json")
        }
        return Array(try Data(contentsOf: url))
    }

    /// The projects the fixtures belong to, each with its own webhook token.
    static let projects = [
        ProjectSettings(path: "mike/diaspora", id: 15, webhookToken: "push-secret",
                        variables: [ProjectVariable(name: "DEPLOY_KEY", value: "s3cr3t-deploy-key", masked: true)]),
        ProjectSettings(path: "jsmith/example", webhookToken: "tag-secret"),
        // The documentation's examples reuse project id 1, so these are matched by path only.
        ProjectSettings(path: "gitlabhq/gitlab-test", webhookToken: "mr-secret"),
        ProjectSettings(path: "root/awesome-project", webhookToken: "wiki-secret"),
        ProjectSettings(path: "gitlab-org/gitlab-test", webhookToken: "note-secret"),
    ]

    static func headers(event: String, token: String?, idempotencyKey: String? = nil, eventUUID: String? = nil) -> WebhookHeaders {
        var fields: [(String, String)] = [("Content-Type", "application/json"), ("User-Agent", "GitLab/17.5.1"), ("X-Gitlab-Event", event)]
        if let token { fields.append(("X-Gitlab-Token", token)) }
        if let idempotencyKey { fields.append(("Idempotency-Key", idempotencyKey)) }
        if let eventUUID { fields.append(("X-Gitlab-Event-UUID", eventUUID)) }
        return WebhookHeaders(fields)
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var message: String
    var description: String { self.message }
}
