// slipway — Application
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import CommitStatus
import GitLab

extension SlipwayConfiguration {
    /// The `gitlab:` section.
    ///
    /// ```yaml
    /// gitlab:
    ///   max_body_bytes: 25m        # webhook bodies; GitLab sends up to 25 MB
    ///   default_image: alpine:3.20 # for jobs whose .gitlab-ci.yml names no image
    ///   fetch_timeout: 10m         # one git fetch of a pushed commit
    ///   planners: 2                # pipelines fetched and planned at once
    ///   url: https://gitlab.example.com   # where commit statuses are posted (none without it)
    ///   status_token: glpat-…      # PRIVATE-TOKEN (api scope) for projects without their own
    ///   ca_file: /etc/slipway/gitlab-ca.pem   # only for a private CA; default: the system store
    /// ```
    public struct GitLabSettings: Sendable {
        public var maxBodyBytes = 25 * 1024 * 1024
        public var defaultImage = "alpine:latest"
        public var fetchTimeout: Duration = .seconds(600)
        public var planners = 2
        /// The instance statuses are posted to; `nil`: no reporting.
        public var url: String?
        /// `gitlab.status_token`: used for projects without a token of their own.
        public var statusToken: GitLabToken?
        /// PEM certificates of the CA that issued GitLab's certificate; `nil`: the system store.
        public var caFile: String?

        public init() {}

        mutating func apply(_ node: ConfigNode) throws {
            try node.allowOnly(["max_body_bytes", "default_image", "fetch_timeout", "planners", "url", "status_token", "ca_file"])
            if let value = node["url"] {
                let text = try value.string()
                do {
                    _ = try CommitStatusRequest(CommitStatusUpdate(
                        target: CommitStatusTarget(gitlabURL: text, projectID: "1", sha: "0000000", ref: "main", name: "probe"), state: .pending))
                } catch {
                    throw ConfigurationError("gitlab.url: \(error.message)")
                }
                self.url = text
            }
            if let value = node["status_token"] { self.statusToken = try SlipwayConfiguration.token(value) }
            if let value = node["ca_file"] { self.caFile = try value.string() }
            if let value = node["max_body_bytes"] { self.maxBodyBytes = try value.byteCount(in: 1024...(1 << 34)) }
            if let value = node["default_image"] { self.defaultImage = try value.string() }
            if let value = node["fetch_timeout"] { self.fetchTimeout = try value.duration() }
            if let value = node["planners"] { self.planners = try value.integer(in: 1...64) }
        }
    }
}

/// One entry of `projects:`: a GitLab project whose webhook starts pipelines.
///
/// ```yaml
/// projects:
///   - path: group/app                 # path_with_namespace
///     id: 42                          # optional: matches the payload's project.id after renames
///     webhook_token_file: /etc/slipway/app.hook   # or webhook_token, or webhook_token_env
///     clone_url: https://gitlab.internal/group/app.git   # optional: instead of git_http_url
///     clone_token_env: APP_CLONE_TOKEN               # optional: read_repository token (or _file, or clone_token)
///     default_branch: main            # CI_DEFAULT_BRANCH for API pipelines
///     host_worker: true               # may use the host worker (as workers.host.allowed_projects)
///     variables:
///       - {name: DEPLOY_TOKEN, value_env: DEPLOY_TOKEN, masked: true}
///       - {name: REGISTRY, value: registry.internal}
/// ```
public struct ProjectConfiguration: Sendable, CustomStringConvertible {
    /// What the GitLab module needs: path, id, tokens, clone URL and variables.
    public var settings: ProjectSettings
    public var defaultBranch: String?
    /// Whether its jobs may run on the host worker (root on the host: trusted projects only).
    public var hostWorker = false
    /// `status_token`: overrides `gitlab.status_token` for this project's commit statuses.
    public var statusToken: GitLabToken?

    public init(settings: ProjectSettings, defaultBranch: String? = nil, hostWorker: Bool = false) {
        self.settings = settings
        self.defaultBranch = defaultBranch
        self.hostWorker = hostWorker
    }

    public var path: String { self.settings.path }

    /// Redacted: the settings print without their secrets.
    public var description: String { "project \(self.settings.path)" }

    static func list(_ node: ConfigNode) throws -> [ProjectConfiguration] {
        guard let sequence = node.node.sequence else { throw ConfigurationError("\(node.path): must be a list of projects") }
        var projects: [ProjectConfiguration] = []
        for (index, element) in sequence.enumerated() {
            let entry = ConfigNode(element, path: "\(node.path)[\(index)]", environment: node.environment)
            let project = try Self.project(entry)
            if projects.contains(where: { $0.path.lowercased() == project.path.lowercased() }) {
                throw ConfigurationError("\(entry.path).path: project \(project.path) is listed twice")
            }
            if let id = project.settings.id, projects.contains(where: { $0.settings.id == id }) {
                throw ConfigurationError("\(entry.path).id: project id \(id) is listed twice")
            }
            projects.append(project)
        }
        return projects
    }

    static func project(_ entry: ConfigNode) throws -> ProjectConfiguration {
        try entry.allowOnly([
            "path", "id", "webhook_token", "webhook_token_file", "webhook_token_env", "clone_url",
            "clone_token", "clone_token_file", "clone_token_env", "default_branch", "host_worker", "variables",
            "status_token", "status_token_file", "status_token_env",
        ])
        guard let pathNode = entry["path"] else { throw ConfigurationError("\(entry.path): needs a path (the project's path_with_namespace)") }
        let path = try pathNode.string()
        guard !path.isEmpty, !path.hasPrefix("/"), !path.hasSuffix("/"), !path.contains("..") else {
            throw ConfigurationError("\(pathNode.path): '\(path)' is not a project path such as group/app")
        }
        guard let webhookToken = try Self.secret(entry, "webhook_token", required: true) else { throw ConfigurationError("unreachable") }
        guard webhookToken.utf8.count >= 8 else {
            throw ConfigurationError("\(entry.path): the webhook_token of \(path) is shorter than 8 bytes; generate one with `openssl rand -hex 32`")
        }
        let cloneToken = try Self.secret(entry, "clone_token", required: false)
        var cloneURL: String?
        if let value = entry["clone_url"] {
            let url = try value.string()
            guard url.contains("://"), !url.hasPrefix("-") else { throw ConfigurationError("\(value.path): '\(url)' is not a URL (https://…, file://…)") }
            guard !Self.hasUserInfo(url) else {
                throw ConfigurationError("\(value.path): put credentials in clone_token, not in the URL (it would reach logs)")
            }
            cloneURL = url
        }
        var id: Int?
        if let value = entry["id"] { id = try value.integer(in: 1...Int(Int32.max) * 1024) }
        var variables: [ProjectVariable] = []
        if let list = entry["variables"] {
            guard let sequence = list.node.sequence else { throw ConfigurationError("\(list.path): must be a list of {name, value, masked}") }
            for (index, element) in sequence.enumerated() {
                let variable = try Self.variable(ConfigNode(element, path: "\(list.path)[\(index)]", environment: list.environment))
                guard !variables.contains(where: { $0.name == variable.name }) else {
                    throw ConfigurationError("\(list.path)[\(index)].name: \(variable.name) is defined twice")
                }
                variables.append(variable)
            }
        }
        var project = ProjectConfiguration(settings: ProjectSettings(
            path: path, id: id, webhookToken: webhookToken, cloneToken: cloneToken, cloneURL: cloneURL, variables: variables))
        if let value = entry["default_branch"] { project.defaultBranch = try value.string() }
        if let value = entry["host_worker"] { project.hostWorker = try value.bool() }
        project.statusToken = try Self.secret(entry, "status_token", required: false).map(GitLabToken.init)
        return project
    }

    static func variable(_ entry: ConfigNode) throws -> ProjectVariable {
        try entry.allowOnly(["name", "value", "value_file", "value_env", "masked"])
        guard let nameNode = entry["name"] else { throw ConfigurationError("\(entry.path): needs a name") }
        let name = try nameNode.string()
        guard let first = name.utf8.first, first == UInt8(ascii: "_") || (first | 0x20 >= 0x61 && first | 0x20 <= 0x7A),
              name.utf8.allSatisfy({ $0 == UInt8(ascii: "_") || ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) })
        else { throw ConfigurationError("\(nameNode.path): '\(name)' is not a variable name (letters, digits and _)") }
        guard let value = try Self.secret(entry, "value", required: true) else { throw ConfigurationError("unreachable") }
        let masked = try entry["masked"]?.bool() ?? false
        // GitLab's rule: a masked value must be long enough and on one line, or masking it
        // would either fail or scramble unrelated log text.
        if masked && (value.utf8.count < 8 || value.contains("\n")) {
            throw ConfigurationError("\(entry.path): the masked variable \(name) must be at least 8 characters on a single line")
        }
        return ProjectVariable(name: name, value: value, masked: masked)
    }

    /// `<key>`, `<key>_file` or `<key>_env`: at most one (exactly one when `required`).
    /// Messages name the key and never contain the value.
    static func secret(_ entry: ConfigNode, _ key: String, required: Bool) throws -> String? {
        let sources = [key, "\(key)_file", "\(key)_env"].filter { entry[$0] != nil }
        if sources.isEmpty && !required { return nil }
        guard sources.count == 1 else {
            throw ConfigurationError("\(entry.path): give exactly one of \(key), \(key)_file or \(key)_env")
        }
        var secret: String
        if let value = entry[key] {
            secret = try value.string()
        } else if let file = entry["\(key)_file"] {
            let path = try file.string()
            do {
                secret = try FileContents.readString(path)
            } catch {
                throw ConfigurationError("\(file.path): cannot read \(path): \(error)")
            }
            while let last = secret.last, last == "\n" || last == "\r" { secret.removeLast() }
        } else {
            let variable = try entry["\(key)_env"]!.string()
            guard let value = entry.environment[variable] else {
                throw ConfigurationError("\(entry.path).\(key)_env: the environment variable \(variable) is not set")
            }
            secret = value
        }
        return secret
    }

    static func hasUserInfo(_ url: String) -> Bool {
        guard let range = url.firstRange(of: "://") else { return false }
        let authority = url[range.upperBound...].prefix { $0 != "/" }
        return authority.contains("@")
    }
}
