// slipway — YAML
// SPDX-License-Identifier: Apache-2.0

/// Why a YAML text could not be composed, and where.
///
/// `description` is meant for the person who wrote the text:
/// `line 3, column 9: found unexpected end of stream (while scanning a quoted scalar at line 2, column 10)`.
public struct YAMLError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The bytes are not UTF-8, or hold a character YAML does not allow (a NUL, a control
        /// character); libyaml's reader.
        case encoding
        /// Not well-formed YAML: libyaml's scanner or parser (a tab in indentation, an
        /// unclosed quote or bracket, a bad indentation).
        case syntax
        /// An alias (`*name`) with no anchor (`&name`) before it.
        case undefinedAlias
        /// A mapping with the same key twice.
        case duplicateKey
        /// A second document (`---`) in a text that may hold one.
        case multipleDocuments
        /// Collections nested deeper than ``YAMLLimits/maxDepth``.
        case tooDeep
        /// More nodes or scalar bytes than ``YAMLLimits`` allow, counting every alias as a
        /// copy of its anchored node (what stops a "billion laughs").
        case tooLarge
        /// libyaml could not allocate memory.
        case outOfMemory
    }

    public var kind: Kind
    /// What is wrong, in libyaml's words for its own errors ("did not find expected key").
    public var problem: String
    /// Where the problem is; nil only when libyaml gives no position.
    public var mark: YAMLMark?
    /// What libyaml was reading when it found the problem ("while parsing a block mapping").
    public var context: String?
    /// Where that started.
    public var contextMark: YAMLMark?

    public init(_ kind: Kind, _ problem: String, mark: YAMLMark?, context: String? = nil, contextMark: YAMLMark? = nil) {
        self.kind = kind
        self.problem = problem
        self.mark = mark
        self.context = context
        self.contextMark = contextMark
    }

    /// The problem and its context, without the position of the problem itself:
    /// `did not find expected ',' or ']' (while parsing a flow sequence at line 1, column 9)`.
    public var summary: String {
        guard let context else { return self.problem }
        let at = self.contextMark.map { " at \($0)" } ?? ""
        return "\(self.problem) (\(context)\(at))"
    }

    public var description: String {
        guard let mark else { return self.summary }
        return "\(mark): \(self.summary)"
    }
}

/// Bounds on a composed document, counted with every alias expanded: what a reader of the
/// tree walks, not what the text spells.
public struct YAMLLimits: Sendable {
    /// Collections inside collections; GitLab refuses CI configuration nested deeper than 100.
    public var maxDepth: Int
    /// Nodes (scalars and collections).
    public var maxNodes: Int
    /// UTF-8 bytes of all scalars together.
    public var maxScalarBytes: Int

    public init(maxDepth: Int = 100, maxNodes: Int = 100_000, maxScalarBytes: Int = 64 << 20) {
        self.maxDepth = maxDepth
        self.maxNodes = maxNodes
        self.maxScalarBytes = maxScalarBytes
    }
}
