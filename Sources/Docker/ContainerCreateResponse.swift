// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

/// `POST /containers/create`'s answer.
public struct ContainerCreateResponse: Decodable, Sendable, Hashable {
    public var id: String
    public var warnings: [String]?

    enum CodingKeys: String, CodingKey {
        case id = "Id"
        case warnings = "Warnings"
    }
}
