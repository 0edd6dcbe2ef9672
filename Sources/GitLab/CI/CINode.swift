// slipway — GitLab
// SPDX-License-Identifier: Apache-2.0

import YAML

/// A `.gitlab-ci.yml` value with the line it came from: the composed YAML tree (aliases
/// already resolved by the composer) with `<<` merge keys applied, reduced to what the CI
/// schema needs.
struct CINode: Sendable {
    enum Value: Sendable {
        case null
        /// A scalar as written, with the type YAML 1.1 resolves it to.
        case scalar(String, ScalarType)
        case mapping([Entry])
        case sequence([CINode])
    }

    enum ScalarType: Sendable { case string, bool, int, float }

    struct Entry: Sendable {
        var key: String
        var keyLine: Int
        var value: CINode
    }

    var value: Value
    var line: Int

    init(_ value: Value, line: Int) {
        self.value = value
        self.line = line
    }

    /// Converts a composed YAML node.
    init(_ node: YAMLNode) throws {
        let line = node.mark.line
        switch node.content {
        case .scalar(let text, _):
            // `node.tag` is the resolved tag (plain `true` → bool, quoted "true" → str).
            switch node.tag {
            case .null: self.init(.null, line: line)
            case .bool: self.init(.scalar(text, .bool), line: line)
            case .int: self.init(.scalar(text, .int), line: line)
            case .float: self.init(.scalar(text, .float), line: line)
            default: self.init(.scalar(text, .string), line: line)
            }
        case .sequence(let items):
            self.init(.sequence(try items.map(CINode.init)), line: line)
        case .mapping(let entries):
            self.init(.mapping(try Self.entries(of: entries)), line: line)
        }
    }

    /// The mapping's entries in order, with YAML merge keys (`<<: *defaults`) applied: keys
    /// written in the mapping win over merged ones, and earlier merged mappings win over later
    /// ones, as the YAML merge-key spec says.
    private static func entries(of mapping: [YAMLNode.Entry]) throws -> [Entry] {
        var own: [Entry] = []
        var merged: [Entry] = []
        for entry in mapping {
            let keyLine = entry.key.mark.line
            if entry.key.tag == .merge {
                let value = entry.value
                let sources: [YAMLNode] =
                    switch value.content {
                    case .mapping: [value]
                    case .sequence(let items): items
                    case .scalar: []
                    }
                guard !sources.isEmpty else {
                    throw GitLabError(.configError, "a `<<` merge key needs a mapping or a list of mappings (an alias like *defaults)",
                                      keyword: "<<", line: keyLine)
                }
                for source in sources {
                    guard let sourceEntries = source.mapping else {
                        let found = source.string.map { "`\($0)`" } ?? "a list"
                        throw GitLabError(.configError, "a `<<` merge key needs mappings, not \(found)", keyword: "<<", line: keyLine)
                    }
                    for merge in try Self.entries(of: sourceEntries) where !merged.contains(where: { $0.key == merge.key }) {
                        merged.append(merge)
                    }
                }
                continue
            }
            guard let name = entry.key.string else {
                throw GitLabError(.configError, "mapping keys must be plain strings", line: keyLine)
            }
            own.append(Entry(key: name, keyLine: keyLine, value: try CINode(entry.value)))
        }
        let ownKeys = Set(own.map(\.key))
        return merged.filter { !ownKeys.contains($0.key) } + own
    }

    // MARK: - Accessors

    var entries: [Entry]? {
        if case .mapping(let entries) = self.value { return entries }
        return nil
    }

    var isNull: Bool {
        if case .null = self.value { return true }
        return false
    }

    subscript(key: String) -> CINode? {
        self.entries?.last(where: { $0.key == key })?.value
    }

    func entry(_ key: String) -> Entry? {
        self.entries?.last(where: { $0.key == key })
    }

    var scalarString: String? {
        if case .scalar(let text, _) = self.value { return text }
        return nil
    }

    var kindName: String {
        switch self.value {
        case .null: "null"
        case .scalar(_, .bool): "a boolean"
        case .scalar(_, .int), .scalar(_, .float): "a number"
        case .scalar: "a string"
        case .mapping: "a mapping"
        case .sequence: "a list"
        }
    }
}
