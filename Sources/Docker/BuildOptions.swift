// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

/// Parameters of `POST /build` (the classic builder, `version=1`: BuildKit over the raw API
/// needs the `/session` gRPC endpoint).
public struct BuildOptions: Sendable, Hashable {
    /// Names for the image, `name:tag`.
    public var tags: [String]
    /// The Dockerfile's path inside the context.
    public var dockerfile: String
    public var buildArgs: [String: String]
    public var labels: [String: String]
    /// Images to consult for cache.
    public var cacheFrom: [String]
    /// Always try to pull newer base images.
    public var pull: Bool
    public var noCache: Bool
    /// Remove intermediate containers after a successful build.
    public var remove: Bool
    /// Remove them after a failed build too.
    public var forceRemove: Bool
    /// The network of `RUN` steps: `none` keeps a build off the network.
    public var networkMode: String?
    /// The stage of a multi-stage Dockerfile to build.
    public var target: String?
    public var platform: String?
    public var memory: Int64?

    public init(tags: [String] = [], dockerfile: String = "Dockerfile", buildArgs: [String: String] = [:], labels: [String: String] = [:], cacheFrom: [String] = [], pull: Bool = false, noCache: Bool = false, remove: Bool = true, forceRemove: Bool = true, networkMode: String? = nil, target: String? = nil, platform: String? = nil, memory: Int64? = nil) {
        self.tags = tags
        self.dockerfile = dockerfile
        self.buildArgs = buildArgs
        self.labels = labels
        self.cacheFrom = cacheFrom
        self.pull = pull
        self.noCache = noCache
        self.remove = remove
        self.forceRemove = forceRemove
        self.networkMode = networkMode
        self.target = target
        self.platform = platform
        self.memory = memory
    }
}
