// slipway — GitLab
// SPDX-License-Identifier: Apache-2.0

import Yams

/// A `.gitlab-ci.yml` value with the line it came from: Yams' node tree with aliases already
/// resolved by the composer and `<<` merge keys applied, reduced to what the CI schema needs.
struct CINode: Sendable {
    enum Value: Sendable {
        case null
        /// A scalar as written, with the type YAML's core schema resolves it to.
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

    /// Converts a composed Yams node.
    init(_ node: Node) throws {
        let line = node.mark?.line ?? 0
        switch node {
        case .scalar(let scalar):
            // `node.tag` resolves the implicit tag (plain `true` → bool, quoted "true" → str).
            switch node.tag.rawValue {
            case Tag.Name.null.rawValue: self.init(.null, line: line)
            case Tag.Name.bool.rawValue: self.init(.scalar(scalar.string, .bool), line: line)
            case Tag.Name.int.rawValue: self.init(.scalar(scalar.string, .int), line: line)
            case Tag.Name.float.rawValue: self.init(.scalar(scalar.string, .float), line: line)
            default: self.init(.scalar(scalar.string, .string), line: line)
            }
        case .sequence(let sequence):
            self.init(.sequence(try sequence.map(CINode.init)), line: line)
        case .mapping(let mapping):
            self.init(.mapping(try Self.entries(of: mapping)), line: line)
        case .alias:
            // The composer replaces aliases with the anchored node; an alias here would be a
            // node built by hand.
            throw GitLabError(.configError, "unresolved YAML alias", line: line)
        }
    }

    /// The mapping's entries in order, with YAML merge keys (`<<: *defaults`) applied: keys
    /// written in the mapping win over merged ones, and earlier merged mappings win over later
    /// ones, as the YAML merge-key spec says.
    private static func entries(of mapping: Node.Mapping) throws -> [Entry] {
        var own: [Entry] = []
        var merged: [Entry] = []
        for (key, value) in mapping {
            let keyLine = key.mark?.line ?? mapping.mark?.line ?? 0
            if key.tag.rawValue == Tag.Name.merge.rawValue {
                let sources: [Node] =
                    switch value {
                    case .mapping: [value]
                    case .sequence(let sequence): Array(sequence)
                    default: []
                    }
                guard !sources.isEmpty else {
                    throw GitLabError(.configError, "a `<<` merge key needs a mapping or a list of mappings (an alias like *defaults)",
                                      keyword: "<<", line: keyLine)
                }
                for source in sources {
                    guard case .mapping(let sourceMapping) = source else {
                        throw GitLabError(.configError, "a `<<` merge key needs mappings, not \(source)", keyword: "<<", line: keyLine)
                    }
                    for entry in try Self.entries(of: sourceMapping) where !merged.contains(where: { $0.key == entry.key }) {
                        merged.append(entry)
                    }
                }
                continue
            }
            guard let name = key.scalar?.string else {
                throw GitLabError(.configError, "mapping keys must be plain strings", line: keyLine)
            }
            own.append(Entry(key: name, keyLine: keyLine, value: try CINode(value)))
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
