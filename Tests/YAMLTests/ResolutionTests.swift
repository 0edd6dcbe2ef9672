// slipway — YAMLTests
// SPDX-License-Identifier: Apache-2.0

import Testing
import YAML

/// The implicit types of plain scalars: YAML 1.1 as Yams' default resolver (and GitLab's
/// Psych) apply it, each with its near misses.
@Suite struct ResolutionTests {
    static let table: [(String, YAMLTag)] = [
        // null
        ("", .null), ("~", .null), ("null", .null), ("Null", .null), ("NULL", .null),
        ("nULL", .str), ("nil", .str), ("None", .str), ("~~", .str),
        // bool: three casings of six words; nothing else
        ("yes", .bool), ("Yes", .bool), ("YES", .bool), ("no", .bool), ("No", .bool), ("NO", .bool),
        ("true", .bool), ("True", .bool), ("TRUE", .bool), ("false", .bool), ("False", .bool), ("FALSE", .bool),
        ("on", .bool), ("On", .bool), ("ON", .bool), ("off", .bool), ("Off", .bool), ("OFF", .bool),
        ("yES", .str), ("tRUE", .str), ("y", .str), ("n", .str), ("Y", .str), ("yes!", .str), ("truee", .str),
        // int: decimal, octal, hex, binary, base 60; signs and underscores
        ("0", .int), ("-0", .int), ("+0", .int), ("42", .int), ("-42", .int), ("+42", .int),
        ("1_000", .int), ("1__0_", .int), ("1_000_000", .int),
        ("0b1010", .int), ("-0b1_0", .int), ("0b_", .int), ("0o17", .int), ("0o_7", .int), ("017", .int), ("0_", .int), ("-017", .int),
        ("0x1F", .int), ("0xdead_BEEF", .int), ("+0x1", .int), ("0x_", .int),
        ("190:20:30", .int), ("1:5", .int), ("-1:59", .int), ("1:0:0", .int),
        ("0x1G", .str), ("0x", .str), ("0b", .str), ("0b2", .str), ("0o", .str), ("0o8", .str), ("_1", .str),
        ("1:60", .str), ("0:30", .str), ("1:", .str), ("1,000", .str), ("--1", .str), ("+", .str), ("-", .str),
        ("١٢", .str), ("0X1F", .str), ("0B1", .str),
        // float
        ("1.5", .float), ("-1.5", .float), ("+1.5", .float), ("1.", .float), ("1._", .float), ("1e5", .float),
        ("1E+5", .float), ("1.5e-3", .float), ("6.8523015e+5", .float), ("1_000.5", .float),
        (".5", .float), ("._", .float), (".5e+3", .float), ("190:20:30.15", .float), ("0:30.5", .float),
        ("08", .float), ("09", .float), ("0_8", .float),
        (".inf", .float), (".Inf", .float), (".INF", .float), ("+.inf", .float), ("-.inf", .float), ("-.INF", .float),
        (".nan", .float), (".NaN", .float), (".NAN", .float),
        ("+.5", .str), ("-.5", .str), (".5e3", .str), (".e5", .str), (".", .str), ("..", .str), ("1.2.3", .str),
        ("1e", .str), ("1e+", .str), ("e5", .str), (".iNf", .str), ("inf", .str), ("+.nan", .str), ("-.nan", .str), ("nan", .str),
        ("1.5 ", .str), ("1:30.", .float), ("1:60.5", .str),
        // merge and value
        ("<<", .merge), ("<<<", .str), ("< <", .str), ("=", .value), ("==", .str),
        // timestamp
        ("2001-12-14", .timestamp), ("2001-12-14t21:59:43.10-05:00", .timestamp), ("2001-12-14 21:59:43.10 -5", .timestamp),
        ("2001-12-15T02:59:43.1Z", .timestamp), ("2001-12-15 2:59:43.10", .timestamp), ("2001-1-1 1:02:03", .timestamp),
        ("2001-12-14T21:59:43 Z", .timestamp), ("2001-12-14\t21:59:43+01:00", .timestamp),
        ("2001-1-1", .str), ("2001-12-14T21:59", .str), ("2001-12-14 21:59:43 +1:0", .str), ("01-12-14", .str), ("2001-12-143", .str),
        // strings
        ("hello", .str), ("docker:dind", .str), ("1.2.3-alpha", .str), ("$CI_COMMIT_BRANCH == \"main\"", .str), ("é", .str),
    ]

    @Test(arguments: Self.table)
    func resolvesPlainScalar(_ text: String, _ tag: YAMLTag) {
        #expect(YAMLTag.resolve(plain: text) == tag, "\(text.debugDescription)")
    }

    /// The same table through libyaml, as a plain and as a double-quoted value (leaving out
    /// the rows a plain value cannot spell: empty, blank at an edge, a tab, `-` alone, a
    /// trailing `:`).
    @Test(arguments: Self.table.filter { row in
        !row.0.isEmpty && row.0.last != " " && !row.0.contains("\t") && row.0 != "-" && row.0.last != ":"
    })
    func composesPlainAndQuoted(_ text: String, _ tag: YAMLTag) throws {
        let escaped = text.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"")
        let node = try #require(try YAMLNode.parse("plain: \(text)\nquoted: \"\(escaped)\"\n"))
        #expect(node["plain"]?.tag == tag, "\(text.debugDescription)")
        #expect(node["plain"]?.string == text)
        #expect(node["plain"]?.scalarStyle == .plain)
        #expect(node["quoted"]?.tag == .str, "quoted scalars are strings: \(text.debugDescription)")
        #expect(node["quoted"]?.string == text)
    }

    @Test func quotedAndBlockScalarsAreStrings() throws {
        let node = try #require(try YAMLNode.parse("""
            a: yes
            b: "yes"
            c: 'yes'
            d: |
              yes
            e: >-
              yes
            f: ""
            g:
            h: ''
            """))
        #expect(node["a"]?.tag == .bool)
        for key in ["b", "c", "d", "e", "f", "h"] { #expect(node[key]?.tag == .str, "\(key)") }
        #expect(node["g"]?.tag == .null)
        #expect(node["g"]?.isNull == true)
        #expect(node["d"]?.string == "yes\n")
        #expect(node["e"]?.string == "yes")
    }

    @Test func explicitTagsWin() throws {
        let node = try #require(try YAMLNode.parse("""
            a: !!str 5
            b: !!int '7'
            c: ! 5
            d: !reference [.setup, script]
            e: !custom {k: v}
            f: !<tag:yaml.org,2002:str> x
            g: !!null ''
            h: ! [1]
            """))
        #expect(node["a"]?.tag == .str)
        #expect(node["a"]?.explicitTag == "tag:yaml.org,2002:str")
        #expect(node["b"]?.tag == .int)
        #expect(node["c"]?.tag == .str, "the non-specific tag ! makes a string")
        #expect(node["d"]?.tag == YAMLTag(rawValue: "!reference"))
        #expect(node["d"]?.sequence?.compactMap(\.string) == [".setup", "script"])
        #expect(node["e"]?.tag == YAMLTag(rawValue: "!custom"))
        #expect(node["f"]?.tag == .str)
        #expect(node["g"]?.isNull == true)
        #expect(node["h"]?.tag == .seq)
        #expect(node["plain"] == nil)
    }

    @Test func keyLookupMatchesTheKeyAsWrittenPlain() throws {
        let node = try #require(try YAMLNode.parse("'yes': quoted\n1: one\nname: x\n"))
        #expect(node["yes"] == nil, "plain yes is a boolean; the key is the string \"yes\"")
        #expect(node["1"]?.string == "one")
        #expect(node["name"]?.string == "x")
        #expect(node["missing"] == nil)
        #expect(node["name"]?["x"] == nil, "a scalar has no keys")
    }
}
