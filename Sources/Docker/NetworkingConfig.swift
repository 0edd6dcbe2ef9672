// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

/// `NetworkingConfig` of a container create: per-network endpoint settings.
public struct NetworkingConfig: Codable, Sendable, Hashable {
    /// Network name → settings, e.g. `["slipway-42": .init(aliases: ["docker"])]`.
    public var endpointsConfig: [String: EndpointSettings]?

    public init(endpointsConfig: [String: EndpointSettings]? = nil) {
        self.endpointsConfig = endpointsConfig
    }

    /// The container's settings on one network.
    public struct EndpointSettings: Codable, Sendable, Hashable {
        /// Extra DNS names of the container on that network.
        public var aliases: [String]?

        public init(aliases: [String]? = nil) {
            self.aliases = aliases
        }

        enum CodingKeys: String, CodingKey {
            case aliases = "Aliases"
        }
    }

    enum CodingKeys: String, CodingKey {
        case endpointsConfig = "EndpointsConfig"
    }
}
