// slipway — GitLab
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials

/// A token for fetching over HTTP(S), handed to git through its environment only.
///
/// GitLab accepts a project, group or personal access token (or a job token) as the password
/// of HTTP Basic auth with any user name; slipway sends `oauth2:<token>`. The header goes to
/// git as `http.<origin>/.extraHeader` through `GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_n`/
/// `GIT_CONFIG_VALUE_n` (git 2.31+), so it never appears in a command line (`ps`), a URL, the
/// mirror's config file or a log, and is sent only to the clone URL's origin, not to a host a
/// redirect points at.
public struct GitCredentials: Sendable, Hashable {
    public var token: String
    public var username: String

    public init(token: String, username: String = "oauth2") {
        self.token = token
        self.username = username
    }

    /// `Basic base64(username:token)`.
    var authorizationValue: String {
        "Basic " + Data("\(self.username):\(self.token)".utf8).base64EncodedString()
    }

    /// The config entries for fetching from `url`.
    func configEntries(for url: String) -> [(key: String, value: String)] {
        guard let origin = Self.origin(of: url) else { return [] }
        return [(key: "http.\(origin)/.extraHeader", value: "Authorization: \(self.authorizationValue)")]
    }

    /// The strings that must never leave slipway: the token and the encoded header.
    var secrets: [String] {
        [self.token, Data("\(self.username):\(self.token)".utf8).base64EncodedString()].filter { !$0.isEmpty }
    }

    /// `scheme://host[:port]` of an http(s) URL; `nil` for other URLs (file://, ssh), which
    /// never get the header.
    static func origin(of url: String) -> String? {
        let lowered = url.lowercased()
        guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://") else { return nil }
        let schemeEnd = url.firstRange(of: "://")!.upperBound
        let rest = url[schemeEnd...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        // Drop any user:password@ (slipway never puts one there; a configured URL might).
        let host = authority.split(separator: "@").last.map(String.init) ?? String(authority)
        return String(url[..<schemeEnd]) + host
    }
}
