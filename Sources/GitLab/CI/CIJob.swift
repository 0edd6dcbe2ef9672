// slipway — GitLab
// SPDX-License-Identifier: Apache-2.0

/// A job of `.gitlab-ci.yml` with `extends`, anchors and `default:` already applied, before
/// rules are evaluated for a particular pipeline.
public struct CIJob: Sendable, Hashable {
    public var name: String
    /// The line of the job's key in `.gitlab-ci.yml`.
    public var line: Int
    public var stage: String
    public var image: String?
    public var beforeScript: [String]
    public var script: [String]
    public var afterScript: [String]
    public var variables: [CIVariable]
    /// `rules:`; `nil` when the job has none (then `only`/`except` apply).
    public var rules: [CIRule]?
    public var only: RefFilter?
    public var except: RefFilter?
    public var when: CIWhen
    public var allowFailure: Bool?
    public var timeout: Duration?
    public var interruptible: Bool
    public var tags: [String]
    /// Service images (only `docker:*dind` ones are accepted).
    public var services: [String]

    public init(name: String, line: Int = 0, stage: String = "test", image: String? = nil, beforeScript: [String] = [],
                script: [String], afterScript: [String] = [], variables: [CIVariable] = [], rules: [CIRule]? = nil,
                only: RefFilter? = nil, except: RefFilter? = nil, when: CIWhen = .onSuccess, allowFailure: Bool? = nil,
                timeout: Duration? = nil, interruptible: Bool = false, tags: [String] = [], services: [String] = []) {
        self.name = name
        self.line = line
        self.stage = stage
        self.image = image
        self.beforeScript = beforeScript
        self.script = script
        self.afterScript = afterScript
        self.variables = variables
        self.rules = rules
        self.only = only
        self.except = except
        self.when = when
        self.allowFailure = allowFailure
        self.timeout = timeout
        self.interruptible = interruptible
        self.tags = tags
        self.services = services
    }

    /// Whether a service asks for Docker-in-Docker (`docker:dind`, `docker:27-dind`,
    /// `registry.example.com/library/docker:24.0-dind`, …).
    public var wantsDockerInDocker: Bool {
        self.services.contains(where: Self.isDockerInDocker)
    }

    static func isDockerInDocker(_ image: String) -> Bool {
        let lastComponent = image.split(separator: "/").last.map(String.init) ?? image
        return lastComponent.hasPrefix("docker:") && lastComponent.contains("dind")
    }
}
