// slipway — DockerGuard tests
// SPDX-License-Identifier: Apache-2.0

@testable import DockerGuard
import Testing

/// The JSON the guard reads and rewrites: exact round trips, and refusals of what the engine's
/// decoder could read otherwise.
@Suite("JSON tree")
struct JSONTreeTests {
    @Test(arguments: [
        #"{"Image":"x","Memory":9223372036854775807,"Cmd":["a","b"],"Tty":false,"Entrypoint":null}"#,
        #"{"Labels":{"a":"\"quoted\" \\ and \n newline","é":"ünïcödé"},"F":-0.5e-7}"#,
        #"[1,2.5,-3,1E+2,true,false,null,"",{},[]]"#,
    ])
    func roundTripsExactly(_ text: String) throws {
        let tree = try JSONTree.parse(Array(text.utf8))
        #expect(String(decoding: tree.serialized, as: UTF8.self) == text)
    }

    @Test func keepsLargeIntegersAsTheirDigits() throws {
        let tree = try JSONTree.parse(Array(#"{"Memory":9007199254740993}"#.utf8))
        #expect(try tree.integer("Memory", in: "") == 9_007_199_254_740_993)
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let tree = try JSONTree.parse(Array(#"{"k":"\u00e9\ud83d\ude00\/\t"}"#.utf8))
        #expect(try tree.string("k", in: "") == "é😀/\t")
    }

    @Test(arguments: [
        ("", "empty"), ("{", "unterminated object"), (#"{"a" 1}"#, "no colon"), (#"{"a":1,}"#, "trailing comma"),
        ("[1 2]", "no comma"), ("01", "leading zero"), ("1.", "bare point"), ("-", "bare minus"), ("tru", "bad literal"),
        (#""\ud800""#, "lone surrogate"), (#""\udc00""#, "lone low surrogate"), (#""\x""#, "bad escape"), ("\"a\u{01}\"", "control character"),
        (#"{} {}"#, "trailing value"), (#"{'a':1}"#, "single quotes"),
    ])
    func refusesMalformedJSON(_ text: String, _ what: String) {
        #expect(throws: JSONTree.ParseError.self, "\(what)") { try JSONTree.parse(Array(text.utf8)) }
    }

    @Test func refusesInvalidUTF8() {
        #expect(throws: JSONTree.ParseError.self) { try JSONTree.parse([UInt8(ascii: "\""), 0xC3, 0x28, UInt8(ascii: "\"")]) }
    }

    @Test func refusesDeepNestingWithoutRecursingIntoIt() {
        let deep = Array(repeating: UInt8(ascii: "["), count: 100_000)
        #expect(throws: JSONTree.ParseError.self) { try JSONTree.parse(deep) }
        let over = String(repeating: "[", count: JSONTree.maximumDepth + 1) + String(repeating: "]", count: JSONTree.maximumDepth + 1)
        #expect(throws: JSONTree.ParseError.self) { try JSONTree.parse(Array(over.utf8)) }
        let within = String(repeating: "[", count: JSONTree.maximumDepth) + String(repeating: "]", count: JSONTree.maximumDepth)
        #expect(throws: Never.self) { try JSONTree.parse(Array(within.utf8)) }
    }

    /// Keys match fields as Go's encoding/json matches them.
    @Test(arguments: ["Privileged", "privileged", "PRIVILEGED", "pRiViLeGeD"])
    func fieldsMatchCaseInsensitively(_ key: String) throws {
        let tree = try JSONTree.parse(Array(#"{"\#(key)":true}"#.utf8))
        #expect(try tree.bool("Privileged", in: "") == true)
    }

    @Test func theLongSAndTheKelvinSignFoldOntoASCII() throws {
        let tree = try JSONTree.parse(Array("{\"Ho\u{017F}tConfig\":{},\"Lin\u{212A}s\":[\"a\"]}".utf8))
        #expect(try tree.object("HostConfig", in: "") != nil)
        #expect(try tree.strings("Links", in: "") == ["a"])
    }

    @Test func twoKeysForOneFieldAreAmbiguous() throws {
        let tree = try JSONTree.parse(Array(#"{"Memory":1,"memory":2}"#.utf8))
        #expect(throws: GuardRefusal.self) { try tree.integer("Memory", in: "") }
    }

    @Test func settingAFieldReplacesEveryMatchingKey() throws {
        var tree = try JSONTree.parse(Array(#"{"a":1,"memory":2,"b":3}"#.utf8))
        tree.setField("Memory", .number("4"))
        #expect(String(decoding: tree.serialized, as: UTF8.self) == #"{"a":1,"b":3,"Memory":4}"#)
    }

    @Test func nullIsAbsentAndStrSlicesTakeAStringOrAList() throws {
        let tree = try JSONTree.parse(Array(#"{"CapAdd":"NET_ADMIN","CapDrop":["ALL"],"Privileged":null}"#.utf8))
        #expect(try tree.stringOrStrings("CapAdd", in: "") == ["NET_ADMIN"])
        #expect(try tree.stringOrStrings("CapDrop", in: "") == ["ALL"])
        #expect(try tree.bool("Privileged", in: "") == nil)
    }
}

@Suite("image references")
struct ImageReferenceTests {
    @Test(arguments: [
        ("app", "app:latest"), ("app:1", "app:1"), ("library/app", "app:latest"), ("docker.io/library/app:2", "app:2"),
        ("index.docker.io/team/app", "team/app:latest"), ("registry.local:5000/team/app", "registry.local:5000/team/app:latest"),
        ("localhost/app:x", "localhost/app:x"), ("team/app:v1.2", "team/app:v1.2"),
    ])
    func normalizes(_ reference: String, _ tag: String) {
        #expect(ImageReference.normalizedTag(reference) == tag)
    }

    @Test(arguments: ["app@sha256:0123456789abcdef", "sha256:abcd", String(repeating: "a", count: 64), "", "app:", "/app", "a b"])
    func refusesWhatIsNotATag(_ reference: String) {
        #expect(ImageReference.normalizedTag(reference) == nil)
    }

    @Test func qualifiesForRemoval() {
        #expect(ImageReference.qualified("app:latest") == "docker.io/library/app:latest")
        #expect(ImageReference.qualified("team/app:1") == "docker.io/team/app:1")
        #expect(ImageReference.qualified("registry.local:5000/app:1") == "registry.local:5000/app:1")
    }
}

@Suite("build stream errors")
struct StreamErrorScannerTests {
    @Test func findsAnErrorKeySplitAcrossPieces() {
        let stream = Array(#"{"stream":"Step 1/2"}\n{"errorDetail":{"message":"boom"},"error":"boom"}\n"#.utf8)
        for split in 1..<stream.count {
            var scanner = StreamErrorScanner()
            stream[..<split].withUnsafeBytes { scanner.scan($0) }
            stream[split...].withUnsafeBytes { scanner.scan($0) }
            #expect(scanner.sawError, "split at \(split)")
        }
    }

    @Test func anEscapedMentionIsNotAnError() {
        var scanner = StreamErrorScanner()
        Array(#"{"stream":"echo \"errorDetail\"\n"}"#.utf8).withUnsafeBytes { scanner.scan($0) }
        #expect(!scanner.sawError)
    }
}
