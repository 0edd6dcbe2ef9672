// slipway — Application
// SPDX-License-Identifier: Apache-2.0

import API
#if canImport(Glibc)
import Glibc
#endif

extension SlipwayConfiguration {
    /// The `api:` section: tokens, anonymous reads, long-poll and event settings.
    ///
    /// ```yaml
    /// api:
    ///   anonymous_read: false         # read endpoints without a token
    ///   max_wait: 60s                 # longest GET /v1/jobs/{id}?wait=
    ///   tokens:                       # none: every endpoint is open (localhost installs)
    ///     - name: ci
    ///       scope: submit             # read, submit (includes read) or admin (includes both)
    ///       value_file: /etc/slipway/ci.token   # or value_env: VARIABLE, or value: "…"
    ///   events:
    ///     retention: 24h              # how far back Last-Event-ID can resume
    ///     heartbeat_interval: 15s
    ///     subscriber_buffer: 10000    # events a slow subscriber may lag before it is dropped
    /// ```
    public struct APISettings: Sendable {
        public var tokens: [APIToken] = []
        public var anonymousRead = false
        public var maxWait: Duration = .seconds(60)
        public var events = EventHub.Settings()

        public init() {}

        /// The access policy these settings describe.
        public var accessPolicy: AccessPolicy { AccessPolicy(tokens: self.tokens, anonymousRead: self.anonymousRead) }
    }
}

extension SlipwayConfiguration.APISettings {
    mutating func apply(_ node: ConfigNode) throws {
        try node.allowOnly(["tokens", "anonymous_read", "max_wait", "events"])
        if let value = node["anonymous_read"] { self.anonymousRead = try value.bool() }
        if let value = node["max_wait"] { self.maxWait = try value.duration() }
        if let events = node["events"] {
            try events.allowOnly(["retention", "heartbeat_interval", "subscriber_buffer"])
            if let value = events["retention"] { self.events.retention = try value.duration() }
            if let value = events["heartbeat_interval"] {
                let interval = try value.duration()
                guard interval >= .milliseconds(100) else { throw ConfigurationError("\(value.path): must be at least 100ms") }
                self.events.heartbeatInterval = interval
            }
            if let value = events["subscriber_buffer"] { self.events.subscriberCapacity = try value.integer(in: 16...10_000_000) }
        }
        if let tokens = node["tokens"] {
            guard let sequence = tokens.node.sequence else { throw ConfigurationError("\(tokens.path): must be a list of tokens") }
            var names: Set<String> = []
            for (index, element) in sequence.enumerated() {
                let entry = ConfigNode(element, path: "\(tokens.path)[\(index)]", environment: tokens.environment)
                let token = try Self.token(entry)
                guard names.insert(token.name).inserted else { throw ConfigurationError("\(entry.path).name: '\(token.name)' is used twice") }
                self.tokens.append(token)
            }
        }
    }

    /// One token entry. Messages name the entry and never contain the value.
    static func token(_ entry: ConfigNode) throws -> APIToken {
        try entry.allowOnly(["name", "scope", "value", "value_file", "value_env"])
        guard let nameNode = entry["name"] else { throw ConfigurationError("\(entry.path): needs a name") }
        let name = try nameNode.string()
        guard let scopeNode = entry["scope"] else { throw ConfigurationError("\(entry.path): needs a scope (read, submit or admin)") }
        guard let scope = APIScope(rawValue: try scopeNode.string()) else {
            throw ConfigurationError("\(scopeNode.path): must be read, submit or admin")
        }
        let sources = ["value", "value_file", "value_env"].filter { entry[$0] != nil }
        guard sources.count == 1 else {
            throw ConfigurationError("\(entry.path): give exactly one of value, value_file or value_env")
        }
        var secret: String
        if let value = entry["value"] {
            secret = try value.string()
        } else if let file = entry["value_file"] {
            let path = try file.string()
            do {
                secret = try FileContents.readString(path)
            } catch {
                throw ConfigurationError("\(file.path): cannot read \(path): \(error)")
            }
        } else {
            let variable = try entry["value_env"]!.string()
            guard let value = entry.environment[variable] else {
                throw ConfigurationError("\(entry.path).value_env: the environment variable \(variable) is not set")
            }
            secret = value
        }
        while let last = secret.last, last == "\n" || last == "\r" || last == " " { secret.removeLast() }
        guard secret.utf8.count >= 16 else {
            throw ConfigurationError("\(entry.path): token \(name) is shorter than 16 bytes; generate one with `openssl rand -hex 32`")
        }
        guard secret.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw ConfigurationError("\(entry.path): token \(name) must be printable ASCII without spaces")
        }
        return APIToken(name: name, secret: secret, scope: scope)
    }
}
