// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

/// `GET /version`: the engine's version and the API versions it accepts.
public struct SystemVersion: Decodable, Sendable, Hashable {
    public var version: String?
    public var apiVersion: String?
    public var minAPIVersion: String?
    public var gitCommit: String?
    public var goVersion: String?
    public var os: String?
    public var arch: String?
    public var kernelVersion: String?

    enum CodingKeys: String, CodingKey {
        case version = "Version"
        case apiVersion = "ApiVersion"
        case minAPIVersion = "MinAPIVersion"
        case gitCommit = "GitCommit"
        case goVersion = "GoVersion"
        case os = "Os"
        case arch = "Arch"
        case kernelVersion = "KernelVersion"
    }
}
