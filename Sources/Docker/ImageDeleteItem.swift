// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

/// One line of `DELETE /images/{name}`'s answer: a tag removed or a layer deleted.
public struct ImageDeleteItem: Decodable, Sendable, Hashable {
    public var untagged: String?
    public var deleted: String?

    enum CodingKeys: String, CodingKey {
        case untagged = "Untagged"
        case deleted = "Deleted"
    }
}
