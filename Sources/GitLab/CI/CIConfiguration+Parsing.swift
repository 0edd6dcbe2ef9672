// slipway — GitLab
// SPDX-License-Identifier: Apache-2.0

import YAML

extension CIConfiguration {
    /// Parses `.gitlab-ci.yml` text.
    /// - Throws: ``GitLabError`` with code `configError`, the keyword at fault and its line:
    ///   invalid YAML, `include`, any keyword outside the supported subset, unknown stages,
    ///   broken `extends`, invalid `rules:if` expressions.
    public static func parse(_ yaml: String) throws -> CIConfiguration {
        let parsed: YAMLNode?
        do {
            parsed = try YAMLNode.parse(yaml)
        } catch {
            throw Self.yamlError(error)
        }
        guard let node = parsed else {
            throw GitLabError(.configError, ".gitlab-ci.yml is empty; define at least one job with a script")
        }
        let root = try CINode(node)
        guard let entries = root.entries else {
            throw GitLabError(.configError, ".gitlab-ci.yml must be a mapping of keywords and jobs, not \(root.kindName)", line: root.line)
        }
        var parser = ConfigParser()
        return try parser.parse(entries)
    }

    /// `invalid YAML: <problem and context> (column <n>)` on the problem's line.
    private static func yamlError(_ error: YAMLError) -> GitLabError {
        guard let mark = error.mark else {
            return GitLabError(.configError, "invalid YAML: \(error.summary)", underlying: error)
        }
        return GitLabError(.configError, "invalid YAML: \(error.summary) (column \(mark.column))", line: mark.line, underlying: error)
    }
}

/// The work of ``CIConfiguration/parse(_:)``: top-level keywords, `extends`, and each job.
struct ConfigParser {
    private var templates: [String: CINode.Entry] = [:]
    private var defaults: [String: CINode.Entry] = [:]

    static let jobKeywords: Set<String> = [
        "stage", "image", "script", "before_script", "after_script", "variables", "extends", "rules",
        "only", "except", "when", "allow_failure", "timeout", "interruptible", "tags", "services",
    ]
    static let defaultKeywords: Set<String> = [
        "image", "before_script", "after_script", "timeout", "interruptible", "tags", "services",
    ]
    /// Top-level keys GitLab reserves that slipway does not run; anything else at the top is a job.
    static let unsupportedGlobals: Set<String> = ["include", "workflow", "cache", "spec", "types"]
    /// The pre-`default:` way of setting defaults, still accepted by GitLab.
    static let legacyGlobals: Set<String> = ["image", "services", "before_script", "after_script"]

    mutating func parse(_ entries: [CINode.Entry]) throws -> CIConfiguration {
        var stages = CIConfiguration.defaultStages
        var variables: [CIVariable] = []
        var jobEntries: [CINode.Entry] = []
        for entry in entries {
            switch entry.key {
            case "stages":
                stages = try Self.stringList(entry.value, keyword: "stages")
            case "variables":
                variables = try Self.variables(entry.value, keyword: "variables")
            case "default":
                guard let keys = entry.value.entries else {
                    throw Self.error("default must be a mapping", keyword: "default", line: entry.keyLine)
                }
                for key in keys {
                    guard Self.defaultKeywords.contains(key.key) else {
                        throw Self.error("default:\(key.key) is not supported by slipway (supported: \(Self.defaultKeywords.sorted().joined(separator: ", ")))",
                                         keyword: "default:\(key.key)", line: key.keyLine)
                    }
                    self.defaults[key.key] = key
                }
            case let key where Self.legacyGlobals.contains(key):
                // `default:` wins over the old global form when both are written.
                if self.defaults[key] == nil { self.defaults[key] = entry }
            case "include":
                throw Self.error("include is not supported: slipway reads only the repository's .gitlab-ci.yml; copy the included jobs into it",
                                 keyword: "include", line: entry.keyLine)
            case let key where Self.unsupportedGlobals.contains(key):
                throw Self.error("the \(key) keyword is not supported by slipway; remove it", keyword: key, line: entry.keyLine)
            case let key where key.hasPrefix("."):
                self.templates[key] = entry
            default:
                guard entry.value.entries != nil else {
                    throw Self.error("`\(entry.key)` is neither a keyword slipway supports nor a job (a job is a mapping with a script)",
                                     keyword: entry.key, line: entry.keyLine)
                }
                jobEntries.append(entry)
            }
        }
        let allStages = [".pre"] + stages.filter { $0 != ".pre" && $0 != ".post" } + [".post"]
        let jobsByName = Dictionary(jobEntries.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
        var jobs: [CIJob] = []
        for entry in jobEntries {
            let resolved = try self.resolveExtends(entry, jobs: jobsByName, chain: [])
            let job = try self.job(named: entry.key, line: entry.keyLine, node: resolved)
            guard allStages.contains(job.stage) else {
                throw Self.error("job \(job.name): stage \(job.stage) is not listed in stages (\(stages.joined(separator: ", ")))",
                                 keyword: "stage", line: resolved.entry("stage")?.keyLine ?? entry.keyLine)
            }
            jobs.append(job)
        }
        guard !jobs.isEmpty else {
            throw Self.error(".gitlab-ci.yml defines no jobs; add a job with a script", keyword: nil, line: nil)
        }
        return CIConfiguration(stages: allStages, variables: variables, jobs: jobs)
    }

    // MARK: - extends

    /// The job's mapping with its `extends` parents deep-merged under it, GitLab's way: mappings
    /// merge key by key, everything else (lists included) is replaced; later parents override
    /// earlier ones and the job overrides them all. Up to 11 levels, as GitLab allows.
    private func resolveExtends(_ entry: CINode.Entry, jobs: [String: CINode.Entry], chain: [String]) throws -> CINode {
        guard chain.count <= 11 else {
            throw Self.error("extends nests deeper than 11 levels (\(chain.joined(separator: " → ")))", keyword: "extends", line: entry.keyLine)
        }
        guard var own = entry.value.entries else {
            throw Self.error("\(entry.key) must be a mapping to be extended", keyword: "extends", line: entry.keyLine)
        }
        guard let extendsEntry = own.last(where: { $0.key == "extends" }) else { return entry.value }
        own.removeAll { $0.key == "extends" }
        let parents: [String]
        switch extendsEntry.value.value {
        case .scalar(let name, _): parents = [name]
        case .sequence: parents = try Self.stringList(extendsEntry.value, keyword: "extends")
        default: throw Self.error("extends must be a job name or a list of them", keyword: "extends", line: extendsEntry.keyLine)
        }
        var merged: [CINode.Entry] = []
        for parent in parents {
            guard !chain.contains(parent), parent != entry.key else {
                throw Self.error("extends loops: \((chain + [entry.key, parent]).joined(separator: " → "))", keyword: "extends",
                                 line: extendsEntry.keyLine)
            }
            guard let parentEntry = self.templates[parent] ?? jobs[parent] else {
                throw Self.error("\(entry.key) extends \(parent), which is not defined in this file (include is not supported)",
                                 keyword: "extends", line: extendsEntry.keyLine)
            }
            let resolved = try self.resolveExtends(parentEntry, jobs: jobs, chain: chain + [entry.key])
            merged = Self.deepMerge(merged, resolved.entries ?? [])
        }
        return CINode(.mapping(Self.deepMerge(merged, own)), line: entry.value.line)
    }

    private static func deepMerge(_ base: [CINode.Entry], _ overlay: [CINode.Entry]) -> [CINode.Entry] {
        var result = base
        for entry in overlay {
            if let index = result.firstIndex(where: { $0.key == entry.key }) {
                if let baseEntries = result[index].value.entries, let overlayEntries = entry.value.entries {
                    var combined = entry
                    combined.value = CINode(.mapping(Self.deepMerge(baseEntries, overlayEntries)), line: entry.value.line)
                    result[index] = combined
                } else {
                    result[index] = entry
                }
            } else {
                result.append(entry)
            }
        }
        return result
    }

    // MARK: - Jobs

    private func job(named name: String, line: Int, node: CINode) throws -> CIJob {
        let entries = node.entries ?? []
        for entry in entries where !Self.jobKeywords.contains(entry.key) {
            let supported = Self.jobKeywords.sorted().joined(separator: ", ")
            throw Self.error("job \(name): the \(entry.key) keyword is not supported by slipway; remove it (supported: \(supported))",
                             keyword: entry.key, line: entry.keyLine)
        }
        func value(_ key: String) -> CINode.Entry? {
            node.entry(key) ?? self.defaults[key]
        }
        guard let scriptEntry = node.entry("script") else {
            throw Self.error("job \(name) has no script; every job needs one", keyword: "script", line: line)
        }
        var job = CIJob(name: name, line: line, script: try Self.script(scriptEntry.value, keyword: "script", line: scriptEntry.keyLine))
        guard !job.script.isEmpty else {
            throw Self.error("job \(name): script is empty", keyword: "script", line: scriptEntry.keyLine)
        }
        if let entry = node.entry("stage") { job.stage = try Self.string(entry.value, keyword: "stage", line: entry.keyLine) }
        if let entry = value("image") { job.image = try Self.image(entry) }
        if let entry = value("before_script") { job.beforeScript = try Self.script(entry.value, keyword: "before_script", line: entry.keyLine) }
        if let entry = value("after_script") { job.afterScript = try Self.script(entry.value, keyword: "after_script", line: entry.keyLine) }
        if let entry = node.entry("variables") { job.variables = try Self.variables(entry.value, keyword: "variables") }
        if let entry = node.entry("when") { job.when = try Self.when(entry.value, keyword: "when") }
        if let entry = node.entry("allow_failure") { job.allowFailure = try Self.bool(entry.value, keyword: "allow_failure") }
        if let entry = value("timeout") { job.timeout = try Self.duration(entry.value, keyword: "timeout") }
        if let entry = value("interruptible") { job.interruptible = try Self.bool(entry.value, keyword: "interruptible") }
        if let entry = value("tags") { job.tags = try Self.stringList(entry.value, keyword: "tags") }
        if let entry = value("services") { job.services = try Self.services(entry.value) }
        let rules = node.entry("rules")
        let only = node.entry("only")
        let except = node.entry("except")
        if let rules {
            if let conflicting = only ?? except {
                throw Self.error("job \(name): \(conflicting.key) cannot be used together with rules; keep one of them",
                                 keyword: conflicting.key, line: conflicting.keyLine)
            }
            job.rules = try Self.rules(rules.value)
        }
        if let only { job.only = try Self.refFilter(only.value, keyword: "only") }
        if let except { job.except = try Self.refFilter(except.value, keyword: "except") }
        return job
    }

    // MARK: - Values

    static func error(_ message: String, keyword: String?, line: Int?) -> GitLabError {
        GitLabError(.configError, message, keyword: keyword, line: line)
    }

    static func string(_ node: CINode, keyword: String, line: Int? = nil) throws -> String {
        guard let text = node.scalarString else {
            throw Self.error("\(keyword) must be a string, not \(node.kindName)", keyword: keyword, line: line ?? node.line)
        }
        return text
    }

    static func stringList(_ node: CINode, keyword: String) throws -> [String] {
        switch node.value {
        case .scalar(let text, _):
            return [text]
        case .sequence(let items):
            return try items.map { try Self.string($0, keyword: keyword) }
        default:
            throw Self.error("\(keyword) must be a list of strings, not \(node.kindName)", keyword: keyword, line: node.line)
        }
    }

    static func bool(_ node: CINode, keyword: String) throws -> Bool {
        if case .scalar(let text, .bool) = node.value, let value = Bool(text.lowercased()) { return value }
        if case .mapping = node.value, keyword == "allow_failure" {
            throw Self.error("allow_failure:exit_codes is not supported by slipway; use true or false", keyword: "allow_failure:exit_codes", line: node.line)
        }
        throw Self.error("\(keyword) must be true or false, not \(node.kindName)", keyword: keyword, line: node.line)
    }

    static func when(_ node: CINode, keyword: String) throws -> CIWhen {
        let text = try Self.string(node, keyword: keyword)
        guard let when = CIWhen(rawValue: text) else {
            let hint = text == "manual" || text == "delayed" ? " (manual and delayed jobs are not supported by slipway)" : ""
            throw Self.error("\(keyword): \(text) is not one of on_success, on_failure, always, never\(hint)", keyword: keyword, line: node.line)
        }
        return when
    }

    static func duration(_ node: CINode, keyword: String) throws -> Duration {
        guard let text = node.scalarString, let duration = CIDuration.parse(text) else {
            throw Self.error("\(keyword) must be a duration such as 1h 30m or 10 minutes", keyword: keyword, line: node.line)
        }
        return duration
    }

    /// Script lines: a string, or a list of strings and nested lists (what `- *anchor` makes),
    /// flattened as GitLab does.
    static func script(_ node: CINode, keyword: String, line: Int, depth: Int = 0) throws -> [String] {
        guard depth <= 10 else { throw Self.error("\(keyword) nests lists more than 10 deep", keyword: keyword, line: line) }
        switch node.value {
        case .scalar(let text, _):
            return [text]
        case .sequence(let items):
            return try items.flatMap { try Self.script($0, keyword: keyword, line: line, depth: depth + 1) }
        default:
            throw Self.error("\(keyword) must be a string or a list of strings, not \(node.kindName)", keyword: keyword, line: node.line)
        }
    }

    static func variables(_ node: CINode, keyword: String) throws -> [CIVariable] {
        if node.isNull { return [] }
        guard let entries = node.entries else {
            throw Self.error("\(keyword) must be a mapping of NAME: value", keyword: keyword, line: node.line)
        }
        return try entries.map { entry in
            guard !entry.key.isEmpty, entry.key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
                throw Self.error("variable name `\(entry.key)` may only hold letters, digits and _", keyword: keyword, line: entry.keyLine)
            }
            switch entry.value.value {
            case .null:
                return CIVariable(name: entry.key, value: "")
            case .scalar(let text, _):
                return CIVariable(name: entry.key, value: text)
            case .mapping(let fields):
                var variable = CIVariable(name: entry.key, value: "")
                for field in fields {
                    switch field.key {
                    case "value": variable.value = try Self.string(field.value, keyword: "\(keyword):\(entry.key):value")
                    case "expand": variable.expand = try Self.bool(field.value, keyword: "\(keyword):\(entry.key):expand")
                    case "description", "options": break // Shown by GitLab's "Run pipeline" form only.
                    default:
                        throw Self.error("variables:\(entry.key):\(field.key) is not supported (use value, description, expand)",
                                         keyword: "variables:\(field.key)", line: field.keyLine)
                    }
                }
                return variable
            case .sequence:
                throw Self.error("variable \(entry.key) must be a string, not a list", keyword: keyword, line: entry.keyLine)
            }
        }
    }

    static func image(_ entry: CINode.Entry) throws -> String {
        switch entry.value.value {
        case .scalar(let text, _):
            return text
        case .mapping(let fields):
            var name: String?
            for field in fields {
                switch field.key {
                case "name": name = try Self.string(field.value, keyword: "image:name")
                default:
                    throw Self.error("image:\(field.key) is not supported by slipway (only image:name)", keyword: "image:\(field.key)",
                                     line: field.keyLine)
                }
            }
            guard let name else { throw Self.error("image needs a name", keyword: "image", line: entry.keyLine) }
            return name
        default:
            throw Self.error("image must be an image name", keyword: "image", line: entry.keyLine)
        }
    }

    /// Only Docker-in-Docker services are accepted: they choose the dind worker, whose daemon
    /// slipway starts itself. Any other service would need a sidecar container slipway does
    /// not run, so it is refused rather than left out.
    static func services(_ node: CINode) throws -> [String] {
        guard case .sequence(let items) = node.value else {
            throw Self.error("services must be a list", keyword: "services", line: node.line)
        }
        return try items.map { item in
            let name: String
            switch item.value {
            case .scalar(let text, _):
                name = text
            case .mapping(let fields):
                var found: String?
                for field in fields {
                    switch field.key {
                    case "name": found = try Self.string(field.value, keyword: "services:name")
                    // How a job would reach a dind service (its hostname, its TLS settings):
                    // slipway's job talks to its daemon over a mounted socket instead.
                    case "alias", "variables": break
                    default:
                        throw Self.error("services:\(field.key) is not supported by slipway", keyword: "services:\(field.key)", line: field.keyLine)
                    }
                }
                guard let found else { throw Self.error("a service needs a name", keyword: "services", line: item.line) }
                name = found
            default:
                throw Self.error("a service must be an image name", keyword: "services", line: item.line)
            }
            guard CIJob.isDockerInDocker(name) else {
                throw Self.error("service \(name) is not supported: slipway runs no service containers, only docker:dind (which selects the dind worker)",
                                 keyword: "services", line: item.line)
            }
            return name
        }
    }

    static func rules(_ node: CINode) throws -> [CIRule] {
        guard case .sequence(let items) = node.value else {
            throw Self.error("rules must be a list", keyword: "rules", line: node.line)
        }
        return try items.map { item in
            guard let fields = item.entries else {
                throw Self.error("each rule must be a mapping (if, when, allow_failure, variables)", keyword: "rules", line: item.line)
            }
            var rule = CIRule()
            for field in fields {
                switch field.key {
                case "if":
                    let text = try Self.string(field.value, keyword: "rules:if")
                    do {
                        rule.condition = try RuleExpression.parse(text)
                    } catch var error as GitLabError {
                        error.line = field.keyLine
                        throw error
                    }
                case "when":
                    rule.when = try Self.when(field.value, keyword: "rules:when")
                case "allow_failure":
                    rule.allowFailure = try Self.bool(field.value, keyword: "rules:allow_failure")
                case "variables":
                    rule.variables = try Self.variables(field.value, keyword: "rules:variables")
                default:
                    throw Self.error("rules:\(field.key) is not supported by slipway (supported: if, when, allow_failure, variables)",
                                     keyword: "rules:\(field.key)", line: field.keyLine)
                }
            }
            return rule
        }
    }

    static func refFilter(_ node: CINode, keyword: String) throws -> RefFilter {
        var listNode = node
        if let fields = node.entries {
            guard let refs = fields.first(where: { $0.key == "refs" }) else {
                throw Self.error("\(keyword) needs refs", keyword: keyword, line: node.line)
            }
            for field in fields where field.key != "refs" {
                throw Self.error("\(keyword):\(field.key) is not supported by slipway (only \(keyword):refs; use rules:if for variables)",
                                 keyword: "\(keyword):\(field.key)", line: field.keyLine)
            }
            listNode = refs.value
        }
        let names = try Self.stringList(listNode, keyword: keyword)
        return RefFilter(try names.map { name in
            switch name {
            case "branches": return .branches
            case "tags": return .tags
            case "merge_requests": return .mergeRequests
            case "api": return .api
            case "pushes": return .pushes
            case "schedules", "triggers", "web", "pipelines", "chat", "external", "external_pull_requests": return .otherSource(name)
            default:
                guard name.hasPrefix("/") else { return .name(name) }
                guard let end = name.lastIndex(of: "/"), end > name.startIndex else {
                    throw Self.error("\(keyword): \(name) is not a /regex/", keyword: keyword, line: listNode.line)
                }
                do {
                    return .regex(try RulePattern(source: String(name[name.index(after: name.startIndex)..<end]),
                                                  flags: String(name[name.index(after: end)...])))
                } catch let error as RulePattern.PatternError {
                    throw Self.error("\(keyword): \(error.message)", keyword: keyword, line: listNode.line)
                }
            }
        })
    }
}
