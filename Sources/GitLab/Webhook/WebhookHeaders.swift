// slipway — GitLab
// SPDX-License-Identifier: Apache-2.0

/// The request headers of one webhook delivery, looked up case-insensitively.
///
/// Build it from whatever the HTTP layer hands over:
/// ```swift
/// let headers = WebhookHeaders(request.headers.map { ($0.name, $0.value) })
/// ```
public struct WebhookHeaders: Sendable, Hashable {
    private var fields: [(name: String, value: String)]

    /// Headers in arrival order; names are compared without regard to case.
    public init(_ fields: [(String, String)]) {
        self.fields = fields.map { (name: $0.0.lowercased(), value: $0.1) }
    }

    /// The first value of header `name`, if present.
    public subscript(name: String) -> String? {
        let key = name.lowercased()
        return self.fields.first { $0.name == key }?.value
    }

    /// `X-Gitlab-Event`: the hook scope, `Push Hook`, `Merge Request Hook`, `System Hook`, ….
    public var event: String? { self["X-Gitlab-Event"] }
    /// `X-Gitlab-Token`: the hook's secret token, sent only when one is set.
    public var token: String? { self["X-Gitlab-Token"] }
    /// `Idempotency-Key` (GitLab 17.4+): made once per event and kept when a delivery is re-sent.
    public var idempotencyKey: String? { self["Idempotency-Key"].flatMap(Self.nonEmpty) }
    /// `X-Gitlab-Event-UUID`: one per (originating request, hook); the dedup key before 17.4.
    public var eventUUID: String? { self["X-Gitlab-Event-UUID"].flatMap(Self.nonEmpty) }
    /// `X-Gitlab-Webhook-UUID`: new for every request, so only good for logs.
    public var webhookUUID: String? { self["X-Gitlab-Webhook-UUID"].flatMap(Self.nonEmpty) }
    /// `X-Gitlab-Instance`: the sending GitLab's base URL.
    public var instance: String? { self["X-Gitlab-Instance"] }
    /// `User-Agent`: `GitLab/<version>`.
    public var userAgent: String? { self["User-Agent"] }

    /// The key a redelivery of the same event carries again: `Idempotency-Key`, else
    /// `X-Gitlab-Event-UUID`. `nil` when GitLab sent neither (very old versions).
    public var deduplicationKey: String? { self.idempotencyKey ?? self.eventUUID }

    public static func == (lhs: WebhookHeaders, rhs: WebhookHeaders) -> Bool {
        lhs.fields.elementsEqual(rhs.fields) { $0.name == $1.name && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        for field in self.fields {
            hasher.combine(field.name)
            hasher.combine(field.value)
        }
    }

    private static func nonEmpty(_ value: String) -> String? {
        let trimmed = value.trimmingASCIIWhitespace()
        return trimmed.isEmpty ? nil : trimmed
    }
}
