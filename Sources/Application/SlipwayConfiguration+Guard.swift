// slipway — Application
// SPDX-License-Identifier: Apache-2.0

import DockerGuard

extension SlipwayConfiguration.WorkerSettings.HostPool {
    /// Which Docker socket host jobs get (`workers.host.docker_api`).
    public enum DockerAPI: String, Sendable {
        /// A socket of the job's own, on which it can only touch what it created (DockerGuard).
        case guarded
        /// The engine's own socket: the job can do anything the engine can.
        case full
    }

    /// The `workers.host.guard:` section.
    ///
    /// ```yaml
    /// workers:
    ///   host:
    ///     docker_api: guarded               # or full
    ///     pids_limit: 4096                  # every container a job starts, the job's own too
    ///     guard:
    ///       socket_dir: /run/slipway/guard  # default <data_dir>/guard; short: Unix socket paths
    ///       allowed_capabilities: [NET_ADMIN]
    ///       max_connections: 256            # per job; more wait
    ///       header_timeout: 30s
    ///       projects:
    ///         - path: group/app
    ///           allow: [bind-mounts, privileged]   # rules relaxed for this project
    ///           allowed_capabilities: [SYS_PTRACE]
    ///           bind_paths: [/srv/ci-cache]        # host paths its containers may bind
    ///         - path: group/legacy
    ///           docker_api: full
    /// ```
    public struct GuardSettings: Sendable {
        /// `nil`: `<data_dir>/guard`.
        public var socketDirectory: String?
        public var allowedCapabilities: [String] = []
        public var maxConnections = 256
        public var headerTimeout: Duration = .seconds(30)
        public var projects: [ProjectRules] = []

        public init() {}

        /// What one project may do beyond the defaults.
        public struct ProjectRules: Sendable {
            public var path: String
            public var dockerAPI: DockerAPI?
            public var allow: Set<GuardRule> = []
            public var allowedCapabilities: [String] = []
            public var bindPaths: [String] = []
        }

        /// The rules for `project`, when it has any.
        public func rules(for project: String?) -> ProjectRules? {
            guard let project else { return nil }
            return self.projects.first { $0.path == project }
        }
    }
}

extension SlipwayConfiguration.WorkerSettings.HostPool.GuardSettings {
    /// The longest socket directory: `<dir>/job-<id>.sock` must fit in a Unix socket path.
    static let maximumDirectoryBytes = 80

    init(_ node: ConfigNode) throws {
        try node.allowOnly(["socket_dir", "allowed_capabilities", "max_connections", "header_timeout", "projects"])
        if let value = node["socket_dir"] {
            let path = try value.string()
            guard path.hasPrefix("/") else { throw ConfigurationError("\(value.path): '\(path)' must be an absolute path") }
            guard path.utf8.count <= Self.maximumDirectoryBytes else {
                throw ConfigurationError("\(value.path): '\(path)' is longer than \(Self.maximumDirectoryBytes) bytes; the job sockets in it would not fit in a Unix socket path")
            }
            self.socketDirectory = path
        }
        if let value = node["allowed_capabilities"] { self.allowedCapabilities = try Self.capabilities(value) }
        if let value = node["max_connections"] { self.maxConnections = try value.integer(in: 1...100_000) }
        if let value = node["header_timeout"] { self.headerTimeout = try value.duration() }
        if let list = node["projects"] {
            guard let sequence = list.node.sequence else { throw ConfigurationError("\(list.path): must be a list of {path, allow, …}") }
            for (index, element) in sequence.enumerated() {
                let entry = ConfigNode(element, path: "\(list.path)[\(index)]", environment: list.environment)
                try entry.allowOnly(["path", "docker_api", "allow", "allowed_capabilities", "bind_paths"])
                guard let path = try entry["path"]?.string(), !path.isEmpty else { throw ConfigurationError("\(entry.path): needs the project's path") }
                guard !self.projects.contains(where: { $0.path == path }) else { throw ConfigurationError("\(entry.path).path: \(path) is listed twice") }
                var rules = ProjectRules(path: path)
                if let value = entry["docker_api"] { rules.dockerAPI = try SlipwayConfiguration.WorkerSettings.HostPool.dockerAPI(value) }
                if let value = entry["allow"] {
                    for name in try value.stringList() {
                        guard let rule = GuardRule(rawValue: name), rule.isRelaxable else {
                            let names = GuardRule.allCases.filter(\.isRelaxable).map(\.rawValue).joined(separator: ", ")
                            throw ConfigurationError("\(value.path): '\(name)' is not a rule that can be relaxed (\(names))")
                        }
                        rules.allow.insert(rule)
                    }
                }
                if let value = entry["allowed_capabilities"] { rules.allowedCapabilities = try Self.capabilities(value) }
                if let value = entry["bind_paths"] {
                    rules.bindPaths = try value.stringList()
                    for path in rules.bindPaths where !path.hasPrefix("/") || path.split(separator: "/").contains("..") {
                        throw ConfigurationError("\(value.path): '\(path)' must be an absolute path without '..'")
                    }
                }
                self.projects.append(rules)
            }
        }
    }

    /// Capability names as the guard compares them: upper case, without `CAP_`.
    static func capabilities(_ node: ConfigNode) throws -> [String] {
        try node.stringList().map { name in
            var normal = name.uppercased()
            if normal.hasPrefix("CAP_") { normal.removeFirst(4) }
            guard !normal.isEmpty, normal != "ALL", normal.allSatisfy({ $0.isLetter || $0 == "_" }) else {
                throw ConfigurationError("\(node.path): '\(name)' is not a capability name such as NET_ADMIN")
            }
            return normal
        }
    }
}

extension SlipwayConfiguration.WorkerSettings.HostPool {
    static func dockerAPI(_ node: ConfigNode) throws -> DockerAPI {
        let text = try node.string()
        guard let api = DockerAPI(rawValue: text) else { throw ConfigurationError("\(node.path): '\(text)' must be 'guarded' or 'full'") }
        return api
    }
}
