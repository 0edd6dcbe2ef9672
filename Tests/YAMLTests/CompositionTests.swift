// slipway — YAMLTests
// SPDX-License-Identifier: Apache-2.0

import Testing
import YAML

/// Documents composed from libyaml's events: structure, styles, anchors, merge keys, marks.
@Suite struct CompositionTests {
    @Test func emptyTextsHaveNoDocument() throws {
        #expect(try YAMLNode.parse("") == nil)
        #expect(try YAMLNode.parse("# only a comment\n\n") == nil)
        #expect(try YAMLNode.parse(utf8: []) == nil)
        let explicitEmpty = try #require(try YAMLNode.parse("---\n"))
        #expect(explicitEmpty.isNull, "an empty document is a null scalar, not no document")
    }

    @Test func blockMappingsAndSequencesKeepTheirOrder() throws {
        let node = try #require(try YAMLNode.parse("""
            zeta: 1
            alpha:
              - a
              - b: c
                d: e
              - - x
                - y
            mid: {}
            """))
        #expect(node.tag == .map)
        #expect(node.mapping?.compactMap(\.key.string) == ["zeta", "alpha", "mid"])
        let alpha = try #require(node["alpha"]?.sequence)
        #expect(alpha.count == 3)
        #expect(alpha[0].string == "a")
        #expect(alpha[1].mapping?.compactMap(\.key.string) == ["b", "d"])
        #expect(alpha[2].sequence?.compactMap(\.string) == ["x", "y"])
        #expect(node["mid"]?.mapping?.isEmpty == true)
    }

    @Test func flowCollections() throws {
        let node = try #require(try YAMLNode.parse("{a: [1, {b: c}, [], {}], 'd': [x, \"y\", 'z'], e: {f: [g]}}"))
        let a = try #require(node["a"]?.sequence)
        #expect(a.count == 4)
        #expect(a[0].tag == .int)
        #expect(a[1]["b"]?.string == "c")
        #expect(a[2].sequence?.isEmpty == true)
        #expect(a[3].mapping?.isEmpty == true)
        #expect(node["d"]?.sequence?.map(\.scalarStyle) == [.plain, .doubleQuoted, .singleQuoted])
        #expect(node["e"]?["f"]?.sequence?.first?.string == "g")
    }

    @Test func literalAndFoldedBlocks() throws {
        let node = try #require(try YAMLNode.parse("""
            literal: |
              line 1

                indented
              line 4
            strip: |-
              no newline
            keep: |+
              kept

            folded: >
              joined
              into one

              paragraph two
            folded_strip: >-
              a
              b
            plain: this is
              folded too
            after: x
            """))
        #expect(node["literal"]?.string == "line 1\n\n  indented\nline 4\n")
        #expect(node["literal"]?.scalarStyle == .literal)
        #expect(node["strip"]?.string == "no newline")
        #expect(node["keep"]?.string == "kept\n\n")
        #expect(node["folded"]?.string == "joined into one\nparagraph two\n")
        #expect(node["folded"]?.scalarStyle == .folded)
        #expect(node["folded_strip"]?.string == "a b")
        #expect(node["plain"]?.string == "this is folded too")
        #expect(node["after"]?.string == "x")
    }

    @Test func escapesInDoubleQuotes() throws {
        let node = try #require(try YAMLNode.parse(#"a: "tab\there \u00e9 \U0001F600 nul\0end""#))
        #expect(node["a"]?.string == "tab\there é 😀 nul\u{0}end")
    }

    // MARK: - Anchors and aliases

    @Test func aliasesAreTheAnchoredNode() throws {
        let node = try #require(try YAMLNode.parse("""
            base: &base
              image: alpine
              tags: [a, b]
            copy: *base
            list: [&s one, *s, *s]
            """))
        let base = try #require(node["base"])
        let copy = try #require(node["copy"])
        #expect(copy.isSameValue(as: base))
        #expect(copy.anchor == "base")
        #expect(copy.mark == base.mark, "an alias is the anchored node, mark included")
        #expect(node["list"]?.sequence?.compactMap(\.string) == ["one", "one", "one"])
    }

    @Test func theLatestAnchorOfANameWins() throws {
        let node = try #require(try YAMLNode.parse("a: &x 1\nb: *x\nc: &x 2\nd: *x\n"))
        #expect(node["b"]?.string == "1")
        #expect(node["d"]?.string == "2")
    }

    @Test func undefinedAliasesAreRefused() throws {
        let error = try #require(throws: YAMLError.self) { try YAMLNode.parse("a: 1\nb: *nope\n") }
        #expect(error.kind == .undefinedAlias)
        #expect(error.mark == YAMLMark(line: 2, column: 4))
        #expect(error.description.contains("*nope"))
        // An alias inside its own anchored node: the anchor is defined when the node is complete.
        let recursive = try #require(throws: YAMLError.self) { try YAMLNode.parse("a: &x [1, *x]\n") }
        #expect(recursive.kind == .undefinedAlias)
    }

    @Test func mergeKeysAreTaggedForTheReader() throws {
        let node = try #require(try YAMLNode.parse("""
            defaults: &d {image: alpine}
            job:
              <<: *d
              script: x
            other:
              <<: [*d, {stage: test}]
            quoted:
              "<<": not a merge
            """))
        let job = try #require(node["job"]?.mapping)
        #expect(job[0].key.tag == .merge)
        #expect(job[0].value["image"]?.string == "alpine")
        #expect(node["other"]?.mapping?.first?.value.sequence?.count == 2)
        #expect(node["quoted"]?.mapping?.first?.key.tag == .str)
    }

    @Test func duplicateKeysAreRefused() throws {
        for (yaml, line) in [("a: 1\nb: 2\na: 3\n", 3), ("a: 1\n'a': 2\n", 2), ("? [1, 2]\n: a\n? [1, 2]\n: b\n", 3),
                             ("&k a: 1\n*k : 2\n", 2), ("m:\n  x: 1\n  x: 2\n", 3)] {
            let error = try #require(throws: YAMLError.self, "\(yaml.debugDescription)") { try YAMLNode.parse(yaml) }
            #expect(error.kind == .duplicateKey, "\(yaml.debugDescription)")
            #expect(error.mark?.line == line, "\(yaml.debugDescription): \(error)")
        }
        // The same text with different types is not the same key.
        let node = try #require(try YAMLNode.parse("1: int\n'1': str\ntrue: bool\nTrue: bool too\n"))
        #expect(node.mapping?.count == 4)
    }

    // MARK: - Marks

    @Test func marksAreLinesAndColumnsFromOne() throws {
        let node = try #require(try YAMLNode.parse("""
            # comment
            first: 1
            second:
              nested: [a, "b"]
              list:
                - x
            """))
        #expect(node.mark == YAMLMark(line: 2, column: 1))
        let entries = try #require(node.mapping)
        #expect(entries[0].key.mark == YAMLMark(line: 2, column: 1))
        #expect(entries[0].value.mark == YAMLMark(line: 2, column: 8))
        #expect(entries[1].key.mark == YAMLMark(line: 3, column: 1))
        let nested = try #require(node["second"]?["nested"]?.sequence)
        #expect(nested.map(\.mark) == [YAMLMark(line: 4, column: 12), YAMLMark(line: 4, column: 15)])
        #expect(node["second"]?["list"]?.sequence?.first?.mark == YAMLMark(line: 6, column: 7))
        #expect(node["second"]?["list"]?.mark == YAMLMark(line: 6, column: 5))
    }

    @Test func marksCountCharactersAndCRLFLines() throws {
        let node = try #require(try YAMLNode.parse("é: 😀x\r\nb:\r\n  - y\r\n"))
        #expect(node["é"]?.mark == YAMLMark(line: 1, column: 4))
        #expect(node["b"]?.sequence?.first?.mark == YAMLMark(line: 3, column: 5))
    }

    // MARK: - Documents

    @Test func aSecondDocumentIsRefused() throws {
        #expect(try YAMLNode.parse("---\na: 1\n...\n")?["a"]?.string == "1")
        let error = try #require(throws: YAMLError.self) { try YAMLNode.parse("a: 1\n---\nb: 2\n") }
        #expect(error.kind == .multipleDocuments)
        #expect(error.mark?.line == 2)
    }

    @Test func scalarRootsAndDirectives() throws {
        #expect(try YAMLNode.parse("hello\n")?.string == "hello")
        #expect(try YAMLNode.parse("- a\n- b\n")?.sequence?.count == 2)
        let tagged = try #require(try YAMLNode.parse("%YAML 1.1\n%TAG !e! tag:example.com,2000:\n---\na: !e!foo x\n"))
        #expect(tagged["a"]?.tag == YAMLTag(rawValue: "tag:example.com,2000:foo"))
    }
}
