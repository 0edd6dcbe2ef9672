// slipway — YAML
// SPDX-License-Identifier: Apache-2.0

import CYAML

extension YAMLNode {
    /// Composes the single document of a YAML text: nil for a text with no document (empty,
    /// or only comments).
    /// - Throws: ``YAMLError``: invalid YAML, an undefined alias, a duplicate mapping key, a
    ///   second document, or a document past `limits`.
    public static func parse(_ text: String, limits: YAMLLimits = YAMLLimits()) throws(YAMLError) -> YAMLNode? {
        var text = text
        let result = text.withUTF8 { bytes in
            Result { () throws(YAMLError) in try Composer.compose(bytes, limits: limits) }
        }
        return try result.get()
    }

    /// ``parse(_:limits:)`` for bytes that should be UTF-8 (libyaml reports where they are not).
    public static func parse(utf8 bytes: [UInt8], limits: YAMLLimits = YAMLLimits()) throws(YAMLError) -> YAMLNode? {
        let result = bytes.withUnsafeBufferPointer { bytes in
            Result { () throws(YAMLError) in try Composer.compose(bytes, limits: limits) }
        }
        return try result.get()
    }
}

/// Builds the node tree from libyaml's events, without recursion: one frame per open
/// collection. Anchored nodes are remembered with their expanded size, so an alias costs what
/// its copy will cost a reader, and the limits hold before any memory is spent on it.
private struct Composer: ~Copyable {
    private struct Size {
        var nodes: Int
        var scalarBytes: Int
        /// Collections on the longest path down: 0 for a scalar.
        var depth: Int
    }

    private struct Frame {
        var isMapping: Bool
        var tag: YAMLTag
        var explicitTag: String?
        var mark: YAMLMark
        var anchor: String?
        var items: [YAMLNode] = []
        var entries: [YAMLNode.Entry] = []
        var pendingKey: YAMLNode?
        var size = Size(nodes: 1, scalarBytes: 0, depth: 1)
        /// Scalar keys seen so far, where each was written.
        var scalarKeys: [ScalarKey: YAMLMark] = [:]
        var collectionKeys: [(key: YAMLNode, mark: YAMLMark)] = []
    }

    private struct ScalarKey: Hashable {
        var tag: YAMLTag
        var text: String
    }

    private let input: UnsafeBufferPointer<UInt8>
    private let limits: YAMLLimits
    private let parser: UnsafeMutablePointer<yaml_parser_t>
    private let event: UnsafeMutablePointer<yaml_event_t>
    private var anchors: [String: (node: YAMLNode, size: Size)] = [:]
    private var stack: [Frame] = []
    private var root: YAMLNode?
    private var nodes = 0
    private var scalarBytes = 0

    static func compose(_ input: UnsafeBufferPointer<UInt8>, limits: YAMLLimits) throws(YAMLError) -> YAMLNode? {
        guard let start = input.baseAddress, !input.isEmpty else { return nil }
        var composer = try Composer(input: input, start: start, limits: limits)
        return try composer.run()
    }

    private init(input: UnsafeBufferPointer<UInt8>, start: UnsafePointer<UInt8>, limits: YAMLLimits) throws(YAMLError) {
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        guard yaml_parser_initialize(parser) == 1 else {
            parser.deallocate()
            throw YAMLError(.outOfMemory, "libyaml could not allocate its parser", mark: nil)
        }
        yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
        yaml_parser_set_input_string(parser, start, input.count)
        self.parser = parser
        self.event = .allocate(capacity: 1)
        self.event.initialize(to: yaml_event_t())
        self.input = input
        self.limits = limits
    }

    deinit {
        yaml_parser_delete(self.parser)
        self.parser.deallocate()
        self.event.deallocate()
    }

    private mutating func run() throws(YAMLError) -> YAMLNode? {
        var documents = 0
        while true {
            guard yaml_parser_parse(self.parser, self.event) == 1 else { throw self.parserError() }
            defer { yaml_event_delete(self.event) }
            let mark = Self.mark(self.event.pointee.start_mark)
            switch self.event.pointee.type {
            case YAML_STREAM_END_EVENT:
                return self.root
            case YAML_DOCUMENT_START_EVENT:
                guard documents == 0 else {
                    throw YAMLError(.multipleDocuments, "found a second document; expected a single document in the stream", mark: mark)
                }
                documents += 1
            case YAML_ALIAS_EVENT:
                try self.alias(at: mark)
            case YAML_SCALAR_EVENT:
                try self.scalar(at: mark)
            case YAML_SEQUENCE_START_EVENT:
                let data = self.event.pointee.data.sequence_start
                try self.open(mapping: false, tag: data.tag, anchor: data.anchor, at: mark)
            case YAML_MAPPING_START_EVENT:
                let data = self.event.pointee.data.mapping_start
                try self.open(mapping: true, tag: data.tag, anchor: data.anchor, at: mark)
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                try self.close()
            default:
                break // stream start, document end
            }
        }
    }

    // MARK: - Events

    private mutating func scalar(at mark: YAMLMark) throws(YAMLError) {
        let data = self.event.pointee.data.scalar
        let text = data.value.map { String(decoding: UnsafeBufferPointer(start: $0, count: data.length), as: UTF8.self) } ?? ""
        let style: YAMLNode.ScalarStyle =
            switch data.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: .literal
            case YAML_FOLDED_SCALAR_STYLE: .folded
            default: .plain
            }
        let explicitTag = Self.string(data.tag)
        let tag: YAMLTag =
            switch explicitTag {
            // Untagged: plain scalars by their text, quoted and block scalars are strings.
            case nil: style == .plain ? .resolve(plain: text) : .str
            // `!`, the non-specific tag: a string whatever the text.
            case "!": .str
            case let explicit?: YAMLTag(rawValue: explicit)
            }
        let size = Size(nodes: 1, scalarBytes: data.length, depth: 0)
        try self.count(size, at: mark)
        let anchor = Self.string(data.anchor)
        let node = YAMLNode(.scalar(text, style), tag: tag, explicitTag: explicitTag, mark: mark, anchor: anchor)
        if let anchor { self.anchors[anchor] = (node, size) }
        try self.attach(node, size: size, at: mark)
    }

    private mutating func alias(at mark: YAMLMark) throws(YAMLError) {
        let name = Self.string(self.event.pointee.data.alias.anchor) ?? ""
        guard let (node, size) = self.anchors[name] else {
            throw YAMLError(.undefinedAlias, "found undefined alias *\(name); an alias must follow its anchor &\(name) (and not be inside it)",
                            mark: mark)
        }
        guard self.stack.count + size.depth <= self.limits.maxDepth else { throw self.tooDeep(at: mark) }
        try self.count(size, at: mark)
        try self.attach(node, size: size, at: mark)
    }

    private mutating func open(mapping: Bool, tag: UnsafeMutablePointer<yaml_char_t>?, anchor: UnsafeMutablePointer<yaml_char_t>?,
                               at mark: YAMLMark) throws(YAMLError) {
        guard self.stack.count < self.limits.maxDepth else { throw self.tooDeep(at: mark) }
        try self.count(Size(nodes: 1, scalarBytes: 0, depth: 1), at: mark)
        let explicitTag = Self.string(tag)
        let resolved: YAMLTag =
            switch explicitTag {
            case nil, "!": mapping ? .map : .seq
            case let explicit?: YAMLTag(rawValue: explicit)
            }
        self.stack.append(Frame(isMapping: mapping, tag: resolved, explicitTag: explicitTag, mark: mark, anchor: Self.string(anchor)))
    }

    private mutating func close() throws(YAMLError) {
        guard let frame = self.stack.popLast() else { return }
        let content: YAMLNode.Content = frame.isMapping ? .mapping(frame.entries) : .sequence(frame.items)
        let node = YAMLNode(content, tag: frame.tag, explicitTag: frame.explicitTag, mark: frame.mark, anchor: frame.anchor)
        // Registered when complete, as libyaml's own composer does: an alias inside its own
        // anchored node is undefined (or names an earlier anchor of the same name).
        if let anchor = frame.anchor { self.anchors[anchor] = (node, frame.size) }
        try self.attach(node, size: frame.size, at: frame.mark)
    }

    // MARK: - Building

    /// Adds a complete node to the open collection, or makes it the document.
    private mutating func attach(_ node: YAMLNode, size: Size, at mark: YAMLMark) throws(YAMLError) {
        guard !self.stack.isEmpty else {
            self.root = node
            return
        }
        let top = self.stack.count - 1
        self.stack[top].size.nodes += size.nodes
        self.stack[top].size.scalarBytes += size.scalarBytes
        self.stack[top].size.depth = max(self.stack[top].size.depth, size.depth + 1)
        guard self.stack[top].isMapping else {
            self.stack[top].items.append(node)
            return
        }
        guard let key = self.stack[top].pendingKey else {
            try self.checkUnique(key: node, at: mark)
            self.stack[top].pendingKey = node
            return
        }
        self.stack[top].entries.append(YAMLNode.Entry(key: key, value: node))
        self.stack[top].pendingKey = nil
    }

    private mutating func checkUnique(key: YAMLNode, at mark: YAMLMark) throws(YAMLError) {
        let top = self.stack.count - 1
        let first: YAMLMark?
        let name: String
        if case .scalar(let text, _) = key.content {
            name = "'\(text)'"
            let scalarKey = ScalarKey(tag: key.tag, text: text)
            first = self.stack[top].scalarKeys[scalarKey]
            if first == nil { self.stack[top].scalarKeys[scalarKey] = mark }
        } else {
            name = key.sequence != nil ? "(a sequence)" : "(a mapping)"
            first = self.stack[top].collectionKeys.first(where: { $0.key.isSameValue(as: key) })?.mark
            if first == nil { self.stack[top].collectionKeys.append((key, mark)) }
        }
        if let first {
            throw YAMLError(.duplicateKey, "duplicate key \(name) in one mapping; it is first at \(first)", mark: mark)
        }
    }

    private mutating func count(_ size: Size, at mark: YAMLMark) throws(YAMLError) {
        self.nodes += size.nodes
        self.scalarBytes += size.scalarBytes
        if self.nodes > self.limits.maxNodes {
            throw YAMLError(.tooLarge, "the document has more than \(self.limits.maxNodes) nodes with its aliases expanded", mark: mark)
        }
        if self.scalarBytes > self.limits.maxScalarBytes {
            throw YAMLError(.tooLarge, "the document's values add up to more than \(self.limits.maxScalarBytes) bytes with its aliases expanded",
                            mark: mark)
        }
    }

    private func tooDeep(at mark: YAMLMark) -> YAMLError {
        YAMLError(.tooDeep, "collections nest more than \(self.limits.maxDepth) deep", mark: mark)
    }

    // MARK: - libyaml

    private static func mark(_ mark: yaml_mark_t) -> YAMLMark {
        YAMLMark(line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    private func parserError() -> YAMLError {
        let parser = self.parser.pointee
        let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
        switch parser.error {
        case YAML_MEMORY_ERROR:
            return YAMLError(.outOfMemory, "libyaml ran out of memory", mark: nil)
        case YAML_READER_ERROR:
            // No mark yet: libyaml reports the byte offset.
            let offset = min(Int(parser.problem_offset), self.input.count)
            let value = Int(parser.problem_value)
            let what =
                if value < 0 { "" } else if problem.contains("octet") { " (byte 0x\(Self.hex(value, digits: 2)))" } else { " (U+\(Self.hex(value, digits: 4)))" }
            return YAMLError(.encoding, "\(problem)\(what) at byte \(offset)", mark: self.mark(atByte: offset))
        default:
            let context = parser.context.map { String(cString: $0) }
            return YAMLError(.syntax, problem, mark: Self.mark(parser.problem_mark), context: context,
                             contextMark: context == nil ? nil : Self.mark(parser.context_mark))
        }
    }

    /// The line and column of a byte offset: lines end at `\n`, `\r\n` or `\r`; columns count
    /// characters (UTF-8 lead bytes), as libyaml's marks do.
    private func mark(atByte offset: Int) -> YAMLMark {
        var line = 1
        var column = 1
        var index = 0
        while index < offset {
            let byte = self.input[index]
            if byte == 0x0A || (byte == 0x0D && (index + 1 >= self.input.count || self.input[index + 1] != 0x0A)) {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 && byte != 0x0D {
                column += 1
            }
            index += 1
        }
        return YAMLMark(line: line, column: column)
    }

    private static func hex(_ value: Int, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
