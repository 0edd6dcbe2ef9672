// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

/// `GET /images/{name}/json`: an image's identity and default configuration.
public struct ImageInspect: Decodable, Sendable, Hashable {
    /// `sha256:…`.
    public var id: String
    public var repoTags: [String]?
    public var repoDigests: [String]?
    /// RFC 3339 with nanoseconds.
    public var created: String?
    public var size: Int64?
    public var architecture: String?
    public var os: String?
    /// The defaults a container of this image starts with.
    public var config: ContainerConfig?

    enum CodingKeys: String, CodingKey {
        case id = "Id"
        case repoTags = "RepoTags"
        case repoDigests = "RepoDigests"
        case created = "Created"
        case size = "Size"
        case architecture = "Architecture"
        case os = "Os"
        case config = "Config"
    }
}
