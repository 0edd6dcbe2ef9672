// slipway — Application
// SPDX-License-Identifier: Apache-2.0

extension SlipwayConfiguration {
    /// The `ui:` section: the web pages' sessions.
    ///
    /// ```yaml
    /// ui:
    ///   session_lifetime: 12h     # how long a sign-in lasts (pages are open without api.tokens)
    ///   secure_cookies: true      # default: true when public_url is https://
    /// ```
    public struct UISettings: Sendable {
        public var sessionLifetime: Duration = .seconds(12 * 3600)
        /// `nil`: decided by `public_url` (``secureCookies(publicURL:)``).
        public var secureCookies: Bool?

        public init() {}

        /// Whether the session cookie carries `Secure`: as configured, else when the pages
        /// are reached at an `https://` public URL (TLS ends at a proxy in front of slipway).
        public func secureCookies(publicURL: String?) -> Bool {
            self.secureCookies ?? (publicURL?.lowercased().hasPrefix("https://") ?? false)
        }
    }
}

extension SlipwayConfiguration.UISettings {
    mutating func apply(_ node: ConfigNode) throws {
        try node.allowOnly(["session_lifetime", "secure_cookies"])
        if let value = node["session_lifetime"] {
            let lifetime = try value.duration()
            guard lifetime >= .seconds(60) else { throw ConfigurationError("\(value.path): must be at least 1m") }
            self.sessionLifetime = lifetime
        }
        if let value = node["secure_cookies"] { self.secureCookies = try value.bool() }
    }
}
