// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials

/// Credentials for a pull, sent as `X-Registry-Auth`: base64url of a JSON object.
public struct RegistryAuth: Encodable, Sendable, Hashable {
    public var username: String?
    public var password: String?
    /// A registry host without a scheme, e.g. `registry.gitlab.com`.
    public var serverAddress: String?
    /// An OAuth identity token, instead of username and password.
    public var identityToken: String?

    public init(username: String, password: String, serverAddress: String) {
        self.username = username
        self.password = password
        self.serverAddress = serverAddress
    }

    public init(identityToken: String, serverAddress: String) {
        self.identityToken = identityToken
        self.serverAddress = serverAddress
    }

    enum CodingKeys: String, CodingKey {
        case username
        case password
        case serverAddress = "serveraddress"
        case identityToken = "identitytoken"
    }

    /// The header value: URL-safe base64 of the JSON.
    var headerValue: String {
        let data = (try? JSONEncoder().encode(self)) ?? Data("{}".utf8)
        return data.base64EncodedString()
            .replacing("+", with: "-")
            .replacing("/", with: "_")
    }
}
