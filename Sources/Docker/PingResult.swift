// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

/// What `GET /_ping` says about the daemon (from its headers).
public struct PingResult: Sendable, Hashable {
    /// The newest API version the daemon speaks (`Api-Version`).
    public var apiVersion: DockerAPIVersion?
    /// `linux` or `windows` (`OSType`).
    public var osType: String?
    /// `Docker-Experimental`.
    public var experimental: Bool
    /// `1` (classic builder) or `2` (BuildKit) (`Builder-Version`).
    public var builderVersion: String?

    public init(apiVersion: DockerAPIVersion? = nil, osType: String? = nil, experimental: Bool = false, builderVersion: String? = nil) {
        self.apiVersion = apiVersion
        self.osType = osType
        self.experimental = experimental
        self.builderVersion = builderVersion
    }
}
