// slipway — Application
// SPDX-License-Identifier: Apache-2.0

import API
import Docker
import FoundationEssentials
import HTTP
import Jobs
import Logging
import Processes
import Store
import Sockets
import YAML

/// slipway's configuration: the YAML file (`--config`), whose keys mirror the command-line
/// flags, overridden by the flags themselves.
///
/// ```yaml
/// listen: ["127.0.0.1:8080", "unix:/run/slipway.sock"]
/// data_dir: /var/lib/slipway
/// log_level: info
/// http:
///   max_body_bytes: 1048576
///   header_timeout: 10s
///   h2c_prior_knowledge: true     # HTTP/2 for clients that start with the preface
///   h2c_upgrade: true             # HTTP/2 through `Upgrade: h2c`
///   max_concurrent_streams: 100
///   gzip: true
///   gzip_level: 6
///   gzip_min_bytes: 1024
/// ```
/// Commit statuses (``SlipwayConfiguration+CommitStatus.swift``) add `public_url`, `gitlab`,
/// `status` and `projects`.
/// Unknown keys are errors: a misspelt setting must not be silently ignored.
public struct SlipwayConfiguration: Sendable {
    public var listen: [SocketAddress] = [.ipv4(host: "127.0.0.1", port: 8080)]
    public var dataDirectory = "./slipway-data"
    public var logLevel: Logger.Level = .info
    public var http = HTTPSettings()
    /// The Docker engine jobs run on, in `DOCKER_HOST` syntax (`docker.host`). `nil`: the
    /// `DOCKER_HOST` environment variable, else `unix:///var/run/docker.sock`.
    public var dockerHost: String?
    public var workers = WorkerSettings()
    public var api = APISettings()
    /// GitLab projects whose webhooks start pipelines (`projects:`).
    public var projects: [ProjectConfiguration] = []
    /// How webhooks and pipelines are handled (`gitlab:`).
    public var gitlab = GitLabSettings()
    /// slipway's externally reachable URL (`public_url`): commit statuses link to jobs there.
    public var publicURL: String?
    /// The `status:` section: how commit statuses are retried and when given up.
    public var status = StatusSettings()
    /// The `ui:` section: the web pages' sessions.
    public var ui = UISettings()

    /// The `workers:` section.
    public struct WorkerSettings: Sendable {
        /// Between SIGTERM and SIGKILL when a job is canceled or times out.
        public var stopGracePeriod: Duration = .seconds(10)
        /// Bytes of output kept per job log; the rest is dropped with a note.
        public var outputLimit = 4 * 1024 * 1024
        public var defaultTimeout: Duration = .seconds(3600)
        /// Jobs of one project running at once across all pools; `nil`: no limit.
        public var perProjectLimit: Int?
        public var host = HostPool()
        /// The `workers.dind:` section; `nil` (no section): no dind pool.
        public var dind: DindPool?

        /// The `workers.host:` section: jobs on the host's own Docker daemon.
        public struct HostPool: Sendable {
            public var concurrency = 2
            public var network = "bridge"
            public var memoryBytes: Int64?
            public var cpus: Double?
            /// Projects whose jobs may use the host worker.
            public var allowedProjects: [String] = []
            /// Whether `POST /v1/jobs` may ask for the host worker.
            public var allowAPISubmissions = false
            /// The socket host jobs get (`docker_api`).
            public var dockerAPI = DockerAPI.guarded
            /// Most processes per container, for the job's container and every one it starts.
            public var pidsLimit: Int64?
            /// The `guard:` section: the guarded socket's settings and per-project rules.
            public var guardSettings = GuardSettings()
        }

        /// The `workers.dind:` section: every job gets a Docker daemon of its own.
        ///
        /// ```yaml
        /// workers:
        ///   dind:
        ///     image: docker:27.5.1-dind     # pin it
        ///     concurrency: 2
        ///     warm: 2                       # ready daemons kept started
        ///     cache: per-project            # or none
        ///     cache_max_size: 10737418240   # bytes; a larger cache is deleted after its job
        ///     cache_budget: 53687091200     # bytes; LRU caches deleted past it
        ///     privileged: true              # false: an explicit capability set instead
        ///     memory: 4294967296            # bytes, daemon and job container each
        ///     cpus: 2
        ///     startup_deadline: 30s
        ///     start_attempts: 2
        ///     socket_dir: /run/slipway/dind # short: socket paths must fit in 108 bytes
        ///     network: bridge
        ///     daemon_args: ["--mtu=1400"]
        /// ```
        public struct DindPool: Sendable {
            public var image = "docker:dind"
            public var concurrency = 2
            public var warm = 0
            public var cache = DindWorkerConfiguration.CachePolicy.none
            public var cacheMaximumBytes: Int64?
            public var cacheBudgetBytes: Int64?
            public var privileged = true
            public var memoryBytes: Int64?
            public var cpus: Double?
            public var startupDeadline: Duration = .seconds(30)
            public var startAttempts = 2
            /// `nil`: `<data_dir>/dind`.
            public var socketDirectory: String?
            public var network = "bridge"
            public var daemonArguments: [String] = []

            public init() {}
        }
    }

    /// The `http:` section.
    public struct HTTPSettings: Sendable {
        /// Event-loop threads; default one per CPU the process may run on.
        public var eventLoops: Int = EventLoopGroup.usableProcessorCount
        public var trigger: EventLoop.TriggerMode = .edge
        public var server = HTTPServerConfiguration()
    }

    public init() {}

    /// Reads a YAML configuration file; `*_env` keys read `environment`.
    public static func load(path: String, environment: [String: String] = ProcessEnvironment.current) throws -> SlipwayConfiguration {
        let text: String
        do {
            text = try FileContents.readString(path)
        } catch {
            throw ConfigurationError("cannot read the configuration file \(path): \(error)")
        }
        return try self.parse(yaml: text, source: path, environment: environment)
    }

    /// Parses YAML configuration text; `*_env` keys read `environment`.
    public static func parse(yaml: String, source: String = "configuration",
                             environment: [String: String] = ProcessEnvironment.current) throws -> SlipwayConfiguration {
        let node: YAMLNode?
        do {
            node = try YAMLNode.parse(yaml)
        } catch {
            throw ConfigurationError("\(source) is not valid YAML: \(error)")
        }
        var configuration = SlipwayConfiguration()
        guard let node else { return configuration }
        let root = ConfigNode(node, path: "", environment: environment)
        try root.allowOnly(["listen", "data_dir", "log_level", "http", "docker", "workers", "api", "public_url", "gitlab", "status", "projects", "ui"])
        if let listen = root["listen"] {
            configuration.listen = try listen.stringList().map { try Self.address($0, at: "listen") }
        }
        if let dataDir = root["data_dir"] { configuration.dataDirectory = try dataDir.string() }
        if let level = root["log_level"] { configuration.logLevel = try Self.logLevel(try level.string(), at: "log_level") }
        if let http = root["http"] { try configuration.http.apply(http) }
        if let docker = root["docker"] {
            try docker.allowOnly(["host"])
            if let host = docker["host"] {
                let text = try host.string()
                do { _ = try DockerHost(parsing: text) } catch { throw ConfigurationError("docker.host: \(error.message)") }
                configuration.dockerHost = text
            }
        }
        if let workers = root["workers"] { try configuration.workers.apply(workers) }
        if let api = root["api"] { try configuration.api.apply(api) }
        if let ui = root["ui"] { try configuration.ui.apply(ui) }
        if let gitlab = root["gitlab"] { try configuration.gitlab.apply(gitlab) }
        if let projects = root["projects"] { configuration.projects = try ProjectConfiguration.list(projects) }
        // `host_worker: true` on a project is the same as listing it in workers.host.allowed_projects.
        for project in configuration.projects where project.hostWorker && !configuration.workers.host.allowedProjects.contains(project.path) {
            configuration.workers.host.allowedProjects.append(project.path)
        }
        try configuration.applyCommitStatus(root)
        return configuration
    }

    static func address(_ text: String, at key: String) throws -> SocketAddress {
        do {
            return try SocketAddress(parsing: text)
        } catch {
            throw ConfigurationError("\(key): \(error)")
        }
    }

    static func logLevel(_ text: String, at key: String) throws -> Logger.Level {
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            throw ConfigurationError("\(key): '\(text)' is not a log level (trace, debug, info, notice, warning, error, critical)")
        }
        return level
    }

    /// The server configuration with the listeners filled in.
    public var serverConfiguration: HTTPServerConfiguration {
        var server = self.http.server
        server.listeners = self.listen
        return server
    }
}

extension SlipwayConfiguration.HTTPSettings {
    mutating func apply(_ node: ConfigNode) throws {
        try node.allowOnly([
            "event_loops", "trigger", "max_body_bytes", "max_request_line_bytes", "max_header_bytes", "max_header_count",
            "header_timeout", "idle_timeout", "write_stall_timeout", "min_body_rate", "body_rate_grace_period",
            "max_connections", "max_requests_per_connection", "max_buffered_output_bytes", "shutdown_grace_period",
            "h2c_prior_knowledge", "h2c_upgrade", "max_concurrent_streams", "gzip", "gzip_level", "gzip_min_bytes",
        ])
        if let value = node["event_loops"] { self.eventLoops = try value.integer(in: 1...256) }
        if let value = node["trigger"] {
            guard let mode = EventLoop.TriggerMode(rawValue: try value.string()) else {
                throw ConfigurationError("\(value.path): must be 'edge' or 'level'")
            }
            self.trigger = mode
        }
        if let value = node["max_body_bytes"] { self.server.maxBodyBytes = try value.integer(in: 0...(1 << 40)) }
        if let value = node["max_request_line_bytes"] { self.server.limits.maxRequestLineBytes = try value.integer(in: 64...(1 << 20)) }
        if let value = node["max_header_bytes"] {
            let bytes = try value.integer(in: 256...(1 << 24))
            self.server.limits.maxHeadBytes = bytes
            self.server.limits.maxFieldLineBytes = min(self.server.limits.maxFieldLineBytes, bytes)
        }
        if let value = node["max_header_count"] { self.server.limits.maxFieldCount = try value.integer(in: 1...100_000) }
        if let value = node["header_timeout"] { self.server.headerTimeout = try value.duration() }
        if let value = node["idle_timeout"] { self.server.idleTimeout = try value.duration() }
        if let value = node["write_stall_timeout"] { self.server.writeStallTimeout = try value.duration() }
        if let value = node["min_body_rate"] { self.server.minimumBodyBytesPerSecond = try value.integer(in: 0...(1 << 30)) }
        if let value = node["body_rate_grace_period"] { self.server.bodyRateGracePeriod = try value.duration() }
        if let value = node["max_connections"] { self.server.maxConnections = try value.integer(in: 1...1_000_000) }
        if let value = node["max_requests_per_connection"] { self.server.maxRequestsPerConnection = try value.integer(in: 1...Int.max) }
        if let value = node["max_buffered_output_bytes"] { self.server.maxBufferedOutputBytes = try value.integer(in: 1024...(1 << 30)) }
        if let value = node["shutdown_grace_period"] { self.server.shutdownGracePeriod = try value.duration() }
        if let value = node["h2c_prior_knowledge"] { self.server.http2.priorKnowledge = try value.bool() }
        if let value = node["h2c_upgrade"] { self.server.http2.upgrade = try value.bool() }
        if let value = node["max_concurrent_streams"] { self.server.http2.maxConcurrentStreams = try value.integer(in: 1...10_000) }
        if let value = node["gzip"] { self.server.compression.enabled = try value.bool() }
        if let value = node["gzip_level"] { self.server.compression.level = try value.integer(in: 1...9) }
        if let value = node["gzip_min_bytes"] { self.server.compression.minimumBytes = try value.integer(in: 0...(1 << 30)) }
    }
}

extension SlipwayConfiguration.WorkerSettings {
    mutating func apply(_ node: ConfigNode) throws {
        try node.allowOnly(["stop_grace_period", "output_limit", "default_timeout", "per_project_limit", "host", "dind"])
        if let value = node["stop_grace_period"] { self.stopGracePeriod = try value.duration() }
        if let value = node["output_limit"] { self.outputLimit = try value.byteCount(in: 1024...(1 << 40)) }
        if let value = node["default_timeout"] { self.defaultTimeout = try value.duration() }
        if let value = node["per_project_limit"] { self.perProjectLimit = try value.integer(in: 1...100_000) }
        if let host = node["host"] {
            try host.allowOnly(["concurrency", "network", "memory", "cpus", "allowed_projects", "allow_api_submissions", "docker_api", "pids_limit", "guard"])
            if let value = host["concurrency"] { self.host.concurrency = try value.integer(in: 0...1000) }
            if let value = host["network"] { self.host.network = try value.string() }
            if let value = host["memory"] { self.host.memoryBytes = Int64(try value.byteCount(in: 6 * 1024 * 1024...(1 << 50))) }
            if let value = host["cpus"] {
                guard let cpus = Double(try value.string()), cpus > 0, cpus <= 1024 else { throw ConfigurationError("\(value.path): must be a number of CPUs such as 1.5") }
                self.host.cpus = cpus
            }
            if let value = host["allowed_projects"] { self.host.allowedProjects = try value.stringList() }
            if let value = host["allow_api_submissions"] { self.host.allowAPISubmissions = try value.bool() }
            if let value = host["docker_api"] { self.host.dockerAPI = try HostPool.dockerAPI(value) }
            if let value = host["pids_limit"] { self.host.pidsLimit = Int64(try value.integer(in: 16...(1 << 22))) }
            if let value = host["guard"] { self.host.guardSettings = try HostPool.GuardSettings(value) }
        }
        if let dind = node["dind"] { self.dind = try DindPool(dind) }
    }
}

extension SlipwayConfiguration.WorkerSettings.DindPool {
    init(_ node: ConfigNode) throws {
        try node.allowOnly([
            "image", "concurrency", "warm", "cache", "cache_max_size", "cache_budget", "privileged", "memory", "cpus",
            "startup_deadline", "start_attempts", "socket_dir", "network", "daemon_args",
        ])
        if let value = node["image"] { self.image = try value.string() }
        if let value = node["concurrency"] { self.concurrency = try value.integer(in: 0...1000) }
        if let value = node["warm"] { self.warm = try value.integer(in: 0...100) }
        if let value = node["cache"] {
            let text = try value.string()
            guard let policy = DindWorkerConfiguration.CachePolicy(rawValue: text) else {
                throw ConfigurationError("\(value.path): '\(text)' must be 'none' or 'per-project'")
            }
            self.cache = policy
        }
        if let value = node["cache_max_size"] { self.cacheMaximumBytes = Int64(try value.integer(in: 1024 * 1024...(1 << 50))) }
        if let value = node["cache_budget"] { self.cacheBudgetBytes = Int64(try value.integer(in: 1024 * 1024...(1 << 50))) }
        if let value = node["privileged"] { self.privileged = try value.bool() }
        if let value = node["memory"] { self.memoryBytes = Int64(try value.integer(in: 4 * 1024 * 1024...(1 << 50))) }
        if let value = node["cpus"] {
            guard let cpus = Double(try value.string()), cpus > 0, cpus <= 1024 else { throw ConfigurationError("\(value.path): must be a number of CPUs such as 1.5") }
            self.cpus = cpus
        }
        if let value = node["startup_deadline"] { self.startupDeadline = try value.duration() }
        if let value = node["start_attempts"] { self.startAttempts = try value.integer(in: 1...10) }
        if let value = node["socket_dir"] {
            let path = try value.string()
            guard path.hasPrefix("/") else { throw ConfigurationError("\(value.path): '\(path)' must be an absolute path") }
            guard DirectoryDaemonDirectories.socketPathBytes(root: path) <= DirectoryDaemonDirectories.maximumSocketPathBytes else {
                throw ConfigurationError("\(value.path): '\(path)' is too long; daemon sockets below it would not fit in a Unix socket path (at most \(DirectoryDaemonDirectories.maximumSocketPathBytes - DirectoryDaemonDirectories.socketPathBytes(root: "")) bytes)")
            }
            self.socketDirectory = path
        }
        if let value = node["network"] { self.network = try value.string() }
        if let value = node["daemon_args"] { self.daemonArguments = try value.stringList() }
    }
}

/// A configuration file problem, worded for the operator who wrote the file.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { self.message }
}

/// A YAML node with its dotted path, for error messages that point at the offending key.
struct ConfigNode {
    let node: YAMLNode
    let path: String
    /// What `*_env` keys read: the process's environment, or a test's.
    let environment: [String: String]

    init(_ node: YAMLNode, path: String, environment: [String: String]) {
        self.node = node
        self.path = path
        self.environment = environment
    }

    subscript(key: String) -> ConfigNode? {
        guard let child = self.node[key] else { return nil }
        return ConfigNode(child, path: self.path.isEmpty ? key : "\(self.path).\(key)", environment: self.environment)
    }

    func allowOnly(_ allowed: Set<String>) throws {
        guard let mapping = self.node.mapping else {
            throw ConfigurationError("\(self.path.isEmpty ? "the configuration" : self.path) must be a mapping of keys to values")
        }
        for key in mapping.map(\.key) {
            guard let name = key.string, allowed.contains(name) else {
                let prefix = self.path.isEmpty ? "" : "\(self.path)."
                throw ConfigurationError("unknown configuration key '\(prefix)\(key.string ?? "?")' (line \(key.mark.line)); known keys: \(allowed.sorted().joined(separator: ", "))")
            }
        }
    }

    func string() throws -> String {
        guard let text = self.node.string else { throw ConfigurationError("\(self.path): expected a single value") }
        return text
    }

    func stringList() throws -> [String] {
        if let sequence = self.node.sequence {
            return try sequence.map { element in
                guard let text = element.string else { throw ConfigurationError("\(self.path): expected a list of strings") }
                return text
            }
        }
        return [try self.string()]
    }

    func integer(in range: ClosedRange<Int>) throws -> Int {
        let text = try self.string()
        guard let value = Int(text), range.contains(value) else {
            throw ConfigurationError("\(self.path): '\(text)' must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// A size in bytes: a whole number, or one with a unit as Docker writes them (`512k`,
    /// `256m`, `2g`, binary multiples; `KiB`, `MiB`, `GiB` and `kb`/`mb`/`gb` alike).
    func byteCount(in range: ClosedRange<Int>) throws -> Int {
        var trimmed = Substring(try self.string())
        while let first = trimmed.first, first.isWhitespace, !first.isNewline { trimmed.removeFirst() }
        while let last = trimmed.last, last.isWhitespace, !last.isNewline { trimmed.removeLast() }
        let text = String(trimmed)
        let digits = text.prefix { $0.isNumber }
        let unit = text.dropFirst(digits.count).lowercased().replacing("ib", with: "").replacing("b", with: "")
        let multiplier: Int? = switch unit {
        case "": 1
        case "k": 1 << 10
        case "m": 1 << 20
        case "g": 1 << 30
        case "t": 1 << 40
        default: nil
        }
        guard let number = Int(digits), let multiplier, case let (value, overflow) = number.multipliedReportingOverflow(by: multiplier),
              !overflow, range.contains(value) else {
            throw ConfigurationError("\(self.path): '\(text)' must be a size from \(range.lowerBound) to \(range.upperBound) bytes, such as 4194304, 512m or 2g")
        }
        return value
    }

    func bool() throws -> Bool {
        switch try self.string().lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw ConfigurationError("\(self.path): must be true or false")
        }
    }

    func duration() throws -> Duration {
        let text = try self.string()
        guard let duration = DurationParsing.parse(text) else {
            throw ConfigurationError("\(self.path): '\(text)' is not a duration (examples: 500ms, 10s, 5m, 1h)")
        }
        return duration
    }
}
