// slipway — YAMLTests
// SPDX-License-Identifier: Apache-2.0

import Testing
import YAML

/// Input a YAML reader must refuse, with a line to point at, and input meant to exhaust it.
@Suite struct MalformedInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var yaml: String
        var line: Int
        var problem: String
        var testDescription: String { self.name }
    }

    static let syntaxErrors: [Case] = [
        Case(name: "tab in indentation", yaml: "a:\n\tb: 1\n", line: 2, problem: "found character that cannot start any token"),
        Case(name: "unclosed single quote", yaml: "a: 'abc\nb: 2\n", line: 3, problem: "found unexpected end of stream"),
        Case(name: "unclosed double quote", yaml: "a: 1\nb: \"abc\n", line: 3, problem: "found unexpected end of stream"),
        Case(name: "dedent to an unknown level", yaml: "a:\n  b: 1\n c: 2\n", line: 3, problem: "did not find expected key"),
        Case(name: "indented key after a scalar", yaml: "a: 1\n  b: 2\n", line: 2, problem: "mapping values are not allowed in this context"),
        Case(name: "unclosed flow sequence", yaml: "job:\n  script: [x\n", line: 3, problem: "did not find expected ',' or ']'"),
        Case(name: "sequence entry in a mapping", yaml: "a: 1\n- b\n", line: 2, problem: "did not find expected key"),
        Case(name: "key and value on one line twice", yaml: "a: b: c\n", line: 1, problem: "mapping values are not allowed in this context"),
        Case(name: "unknown escape", yaml: "a: \"\\q\"\n", line: 1, problem: "found unknown escape character"),
        Case(name: "undefined tag handle", yaml: "a: !x!y z\n", line: 1, problem: "found undefined tag handle"),
    ]

    @Test(arguments: Self.syntaxErrors)
    func syntaxErrorsCarryLibyamlsProblemAndLine(_ test: Case) {
        do {
            let node = try YAMLNode.parse(test.yaml)
            Issue.record("parsed \(String(describing: node))")
        } catch {
            #expect(error.kind == .syntax)
            #expect(error.mark?.line == test.line, "\(error)")
            #expect(error.problem == test.problem, "\(error)")
            #expect(error.description.hasPrefix("line \(test.line), column "), "\(error)")
        }
    }

    @Test func errorsNameTheContextWhereLibyamlGivesOne() throws {
        let error = try #require(throws: YAMLError.self) { try YAMLNode.parse("job:\n  script: [x\n") }
        #expect(error.context == "while parsing a flow sequence")
        #expect(error.contextMark == YAMLMark(line: 2, column: 11))
        #expect(error.description == "line 3, column 1: did not find expected ',' or ']' (while parsing a flow sequence at line 2, column 11)")
    }

    // MARK: - Encoding

    @Test func invalidUTF8IsRefusedWithItsPosition() throws {
        let bytes = Array("a: 1\nb: caf".utf8) + [0xE9] + Array("\n".utf8) // Latin-1 é
        let error = try #require(throws: YAMLError.self) { try YAMLNode.parse(utf8: bytes) }
        #expect(error.kind == .encoding)
        #expect(error.mark == YAMLMark(line: 2, column: 7))
        #expect(error.problem.contains("UTF-8"), "\(error)")
        let lone = try #require(throws: YAMLError.self) { try YAMLNode.parse(utf8: [0x61, 0x3A, 0x20, 0xFF]) }
        #expect(lone.kind == .encoding)
        #expect(lone.problem.contains("0xFF"), "\(lone)")
    }

    @Test func aNULByteIsRefused() throws {
        for (yaml, mark) in [("a: b\u{0}c\n", YAMLMark(line: 1, column: 5)), ("a: 1\n\u{0}\n", YAMLMark(line: 2, column: 1))] {
            let error = try #require(throws: YAMLError.self) { try YAMLNode.parse(yaml) }
            #expect(error.kind == .encoding)
            #expect(error.mark == mark, "\(error)")
            #expect(error.problem.hasPrefix("control characters are not allowed"), "\(error)")
        }
        // Escaped, a NUL is a character of the value.
        #expect(try YAMLNode.parse("a: \"\\0\"")?["a"]?.string == "\u{0}")
    }

    // MARK: - Limits

    /// Nine levels of ten aliases each: 10⁹ strings if expanded.
    static let billionLaughs = """
        a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]
        b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]
        c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]
        d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]
        e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]
        f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]
        g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]
        h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g,*g]
        i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h,*h]
        """

    @Test func anAliasBombFailsFast() throws {
        let clock = ContinuousClock()
        let start = clock.now
        let error = try #require(throws: YAMLError.self) { try YAMLNode.parse(Self.billionLaughs) }
        #expect(clock.now - start < .seconds(30), "unbounded expansion would take minutes and gigabytes")
        #expect(error.kind == .tooLarge)
        #expect(error.mark?.line == 5, "the first alias past 100,000 nodes, on e's line: \(error)")
        #expect(error.description.contains("100000 nodes"))
    }

    @Test func aliasesCountTowardTheScalarBytes() throws {
        let big = String(repeating: "x", count: 1 << 20)
        let yaml = "a: &a \(big)\nb: [*a, *a, *a, *a]\n"
        #expect(try YAMLNode.parse(yaml)?["b"]?.sequence?.count == 4)
        let error = try #require(throws: YAMLError.self) { try YAMLNode.parse(yaml, limits: YAMLLimits(maxScalarBytes: 4 << 20)) }
        #expect(error.kind == .tooLarge)
        #expect(error.mark == YAMLMark(line: 2, column: 13), "the third alias: \(error)")
    }

    @Test func deepNestingIsCappedNotRecursed() throws {
        let flow = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let error = try #require(throws: YAMLError.self) { try YAMLNode.parse(flow) }
        #expect(error.kind == .tooDeep)
        #expect(error.mark == YAMLMark(line: 1, column: 101))

        let atLimit = String(repeating: "[", count: 100) + "x" + String(repeating: "]", count: 100)
        var node = try #require(try YAMLNode.parse(atLimit))
        var depth = 1
        while let first = node.sequence?.first, first.sequence != nil { node = first; depth += 1 }
        #expect(depth == 100)

        var block = ""
        for level in 0..<150 { block += String(repeating: " ", count: level) + "k\(level):\n" }
        let blockError = try #require(throws: YAMLError.self) { try YAMLNode.parse(block) }
        #expect(blockError.kind == .tooDeep)
        #expect(blockError.mark?.line == 101)
    }

    @Test func aliasesCountTowardTheDepth() throws {
        let deep = String(repeating: "[", count: 60) + String(repeating: "]", count: 60)
        // The document mapping, 39 sequences, then the alias's 60: 100.
        let yaml = "a: &a \(deep)\nb: \(String(repeating: "[", count: 39))*a\(String(repeating: "]", count: 39))\n"
        #expect(throws: Never.self) { try YAMLNode.parse(yaml) }
        let tooDeep = "a: &a \(deep)\nb: \(String(repeating: "[", count: 40))*a\(String(repeating: "]", count: 40))\n"
        let error = try #require(throws: YAMLError.self) { try YAMLNode.parse(tooDeep) }
        #expect(error.kind == .tooDeep)
        #expect(error.mark?.line == 2)
    }

    @Test func veryLargeScalars() throws {
        let size = 8 << 20
        let plain = String(repeating: "abcdefgh", count: size / 8)
        #expect(try YAMLNode.parse("a: \(plain)\n")?["a"]?.string?.utf8.count == size)
        var literal = "a: |\n"
        for _ in 0..<(size / 64) { literal += "  " + String(repeating: "y", count: 63) + "\n" }
        #expect(try YAMLNode.parse(literal)?["a"]?.string?.utf8.count == size)
        let quoted = "a: \"" + String(repeating: "é", count: size / 2) + "\""
        #expect(try YAMLNode.parse(quoted)?["a"]?.string?.count == size / 2)
    }

    @Test func manyNodesWithinTheLimit() throws {
        let yaml = (0..<20_000).map { "k\($0): [\($0), x]" }.joined(separator: "\n")
        let node = try #require(try YAMLNode.parse(yaml))
        #expect(node.mapping?.count == 20_000)
        #expect(node["k19999"]?.sequence?.first?.tag == .int)
    }
}
