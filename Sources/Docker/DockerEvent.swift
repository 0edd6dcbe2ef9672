// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

/// One object of the `GET /events` stream (`EventMessage`).
public struct DockerEvent: Decodable, Sendable, Hashable {
    /// `container`, `image`, `volume`, `network`, `daemon`, …
    public var type: String?
    /// `create`, `start`, `die`, `oom`, `kill`, `stop`, `destroy`, `health_status: healthy`, …
    public var action: String?
    public var actor: Actor?
    /// `local` or `swarm`.
    public var scope: String?
    /// Unix seconds.
    public var time: Int64?
    /// Unix nanoseconds: resume with `since` after a reconnect.
    public var timeNano: Int64?

    /// The object the event is about.
    public struct Actor: Decodable, Sendable, Hashable {
        public var id: String?
        /// Labels of the object and event details (`exitCode` on `die`, `name`, `image`).
        public var attributes: [String: String]?

        enum CodingKeys: String, CodingKey {
            case id = "ID"
            case attributes = "Attributes"
        }
    }

    enum CodingKeys: String, CodingKey {
        case type = "Type"
        case action = "Action"
        case actor = "Actor"
        case scope
        case time
        case timeNano
    }
}
