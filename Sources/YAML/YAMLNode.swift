// slipway — YAML
// SPDX-License-Identifier: Apache-2.0

/// Where a node or a problem is in the text: 1-based line and column (libyaml counts columns
/// in characters).
public struct YAMLMark: Hashable, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "line \(self.line), column \(self.column)" }
}

/// One node of a composed YAML document: a scalar, a sequence or a mapping, with its resolved
/// tag and where it starts. Aliases are already replaced by the node their anchor names (that
/// node's mark, anchor and all); merge keys (`<<`) are left as entries whose key has the tag
/// ``YAMLTag/merge``, for the reader to apply.
public struct YAMLNode: Sendable {
    public enum Content: Sendable {
        /// The scalar's text as written (quotes, escapes and folding already applied).
        case scalar(String, ScalarStyle)
        case sequence([YAMLNode])
        /// Entries in document order; keys are nodes (usually scalars).
        case mapping([Entry])
    }

    public enum ScalarStyle: Sendable, Hashable {
        case plain, singleQuoted, doubleQuoted, literal, folded
    }

    public struct Entry: Sendable {
        public var key: YAMLNode
        public var value: YAMLNode

        public init(key: YAMLNode, value: YAMLNode) {
            self.key = key
            self.value = value
        }
    }

    public var content: Content
    /// The node's type: the explicit tag if it has one, else the one YAML resolves it to
    /// (``YAMLTag/resolve(plain:)`` for plain scalars; `str` for quoted and block scalars;
    /// `seq` and `map` for collections).
    public var tag: YAMLTag
    /// The tag as written (`!!str` as `tag:yaml.org,2002:str`, `!reference`), if there is one.
    public var explicitTag: String?
    public var mark: YAMLMark
    /// The anchor (`&name`) the node was written with, if any.
    public var anchor: String?

    public init(_ content: Content, tag: YAMLTag, explicitTag: String? = nil, mark: YAMLMark, anchor: String? = nil) {
        self.content = content
        self.tag = tag
        self.explicitTag = explicitTag
        self.mark = mark
        self.anchor = anchor
    }

    // MARK: - Accessors

    /// The scalar's text; nil for a collection.
    public var string: String? {
        if case .scalar(let text, _) = self.content { return text }
        return nil
    }

    public var scalarStyle: ScalarStyle? {
        if case .scalar(_, let style) = self.content { return style }
        return nil
    }

    public var sequence: [YAMLNode]? {
        if case .sequence(let items) = self.content { return items }
        return nil
    }

    public var mapping: [Entry]? {
        if case .mapping(let entries) = self.content { return entries }
        return nil
    }

    /// A scalar that resolves to null (`~`, `null`, nothing at all, or `!!null`).
    public var isNull: Bool { self.tag == .null }

    /// The value of the last entry whose key is the scalar `key` would be if written plain:
    /// the same text and the same resolved tag (so `"yes"` is not found under the key `yes`,
    /// which is a boolean). Nil for a missing key or a node that is not a mapping.
    public subscript(key: String) -> YAMLNode? {
        guard let entries = self.mapping else { return nil }
        let tag = YAMLTag.resolve(plain: key)
        return entries.last(where: { $0.key.tag == tag && $0.key.string == key })?.value
    }

    /// Whether two nodes are the same YAML value: same tag and text for scalars (whatever
    /// their style and mark), same tag and equal items in order for collections.
    public func isSameValue(as other: YAMLNode) -> Bool {
        guard self.tag == other.tag else { return false }
        switch (self.content, other.content) {
        case (.scalar(let a, _), .scalar(let b, _)):
            return a == b
        case (.sequence(let a), .sequence(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.isSameValue(as: $1) }
        case (.mapping(let a), .mapping(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key.isSameValue(as: $1.key) && $0.value.isSameValue(as: $1.value) }
        default:
            return false
        }
    }
}
