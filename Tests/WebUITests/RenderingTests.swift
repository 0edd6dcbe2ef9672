// slipway — web page tests
// SPDX-License-Identifier: Apache-2.0

import API
import HTTP
import Jobs
import Testing
@testable import WebUI

/// Escaping, the log's HTML for readers without JavaScript, forms and assets: values in,
/// values out.
@Suite("page rendering")
struct RenderingTests {
    static func escaped(_ text: String) -> String {
        var bytes: [UInt8] = []
        HTML.escape(text, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func escapesMarkupAndQuotes() {
        #expect(Self.escaped(#"<script>alert("x")</script> & 'y'"#) == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;")
    }

    @Test func replacesWhatTheParserCallsErrorsWithVisibleStandIns() {
        // ESC becomes ␛, NUL ␀, DEL ␡; C1 controls and noncharacters U+FFFD; tab and line feed stay.
        #expect(Self.escaped("a\u{1B}[31mb\u{0}\u{7F}\t\n") == "a␛[31mb␀␡\t\n")
        var hostile = ""
        for value: UInt32 in [0x85, 0xFDD0, 0xFFFE, 0x1FFFF] { hostile.unicodeScalars.append(Unicode.Scalar(value)!) }
        #expect(Self.escaped(hostile + "é😀") == "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}é😀")
        #expect(Self.escaped("\r") == "␍")
    }

    static func rendered(_ log: String, firstLine: Int = 1) -> String {
        var html = HTML()
        LogHTML.render(Array(log.utf8)[...], firstLine: firstLine, into: &html)
        return String(decoding: html.bytes, as: UTF8.self)
    }

    @Test func logLinesAreNumberedLinkableAndEscaped() {
        let html = Self.rendered("<script>alert(1)</script>\nsecond", firstLine: 41)
        #expect(html.contains(##"<span class="line" id="L41"><a class="ln" tabindex="-1" href="#L41">41</a>&lt;script&gt;alert(1)&lt;/script&gt;</span>"##))
        #expect(html.contains(#"id="L42""#) && html.contains(">second</span>"))
        #expect(!html.contains("<script>"))
    }

    @Test func ansiColoursBecomeClassesAndOtherEscapesVanish() {
        let html = Self.rendered("\u{1B}[1;31mred\u{1B}[0m plain \u{1B}]0;title\u{07}\u{1B}[2J\u{1B}[38;5;9mbright\u{1B}[38;2;1;2;3mtrue\n")
        #expect(html.contains(#"<span class="f1 b">red</span> plain <span class="f9">bright</span>true"#), "\(html)")
        #expect(!html.contains("title") && !html.contains("␛"))
    }

    @Test func carriageReturnsOverwriteAndSectionMarkersLeaveTheirHeaders() {
        let log = "\u{1B}[0Ksection_start:1700000000:build\r\u{1B}[0KBuilding\n10%\r50%\r100%\r\n\u{1B}[0Ksection_end:1700000004:build\r\u{1B}[0K\nafter\n"
        let html = Self.rendered(log)
        #expect(html.contains(#"<span class="line section" id="L1">"#) && html.contains(">Building</span>"))
        #expect(html.contains(">100%</span>") && !html.contains("50%"))
        #expect(!html.contains(#"id="L3""#), "an end marker's line is not shown")
        #expect(html.contains(#"id="L4""#) && !html.contains("section_"))
    }

    @Test func colourStateCarriesAcrossLines() {
        let html = Self.rendered("\u{1B}[32mgreen\nstill green\u{1B}[0m\nplain\n")
        #expect(html.contains(#"<span class="f2">still green</span>"#))
        #expect(html.contains(">plain</span>"))
    }

    @Test func markerNamesFollowGitLab() {
        #expect(LogHTML.marker("section_start:", in: "\u{1B}[0Ksection_start:17:a.b-c_9[collapsed=true]\r") == "a.b-c_9")
        #expect(LogHTML.marker("section_start:", in: "section_start:x:name") == nil)
        #expect(LogHTML.marker("section_end:", in: "section_end:5:") == nil)
    }

    // MARK: - Forms

    @Test func formsDecodeAndRefuseMalformedOrOversizedInput() throws {
        let form = try FormBody(parsing: Array("csrf=a%2Bb&next=%2Fjobs%2F7&token=x+y&empty=&flag".utf8))
        #expect(form["csrf"] == "a+b" && form["next"] == "/jobs/7" && form["token"] == "x y" && form["empty"] == "" && form["flag"] == "")
        #expect(throws: HTTPError.self) { try FormBody(parsing: Array("a=%zz".utf8)) }
        #expect(throws: HTTPError.self) { try FormBody(parsing: Array("a=%4".utf8)) }
        #expect(throws: HTTPError.self) { try FormBody(parsing: [0x61, 0x3D, 0xFF]) }
        #expect(throws: HTTPError.self) { try FormBody(parsing: Array(repeating: "a=1", count: 40).joined(separator: "&").utf8.map { $0 }) }
        #expect(try FormBody(parsing: Array("a=%C3%A9".utf8))["a"] == "é")
    }

    @Test(arguments: [
        ("/jobs/7", "/jobs/7"), ("/pipelines?project=a%2Fb", "/pipelines?project=a%2Fb"), ("//evil.example/x", "/pipelines"),
        ("https://evil.example/", "/pipelines"), ("/\\evil.example", "/pipelines"), ("jobs/7", "/pipelines"), ("/login", "/pipelines"),
        ("/jobs/7\r\nSet-Cookie: x=y", "/pipelines"), ("/jobs/ 7", "/pipelines"), ("", "/pipelines"),
    ])
    func signInGoesOnlyToPathsOfThisServer(target: String, expected: String) {
        #expect(WebUI.localTarget(target) == expected)
    }

    // MARK: - Assets

    @Test func assetsAreCachedForGoodAndRevalidateByTheirHash() {
        let asset = Assets.script
        #expect(asset.fileName.hasPrefix("slipway-") && asset.fileName.hasSuffix(".js"))
        var request = HTTPRequest(head: HTTPRequestHead(method: .get, target: asset.path, fields: ["Accept-Encoding": "gzip, br"]))
        let full = asset.response(for: request)
        #expect(full.status == .ok && full.fields["Content-Encoding"] == "gzip" && full.fields["ETag"] == asset.entityTag)
        #expect(full.fields["Cache-Control"]?.contains("immutable") == true)
        #expect(full.body.bytes == asset.gzipped && asset.gzipped.count < asset.bytes.count / 2)
        request.head.fields.set(name: "If-None-Match", value: "\"other\", \(asset.entityTag)")
        #expect(asset.response(for: request).status == .notModified)
        let plain = asset.response(for: HTTPRequest(head: HTTPRequestHead(method: .get, target: asset.path)))
        #expect(plain.fields["Content-Encoding"] == nil && plain.body.bytes == asset.bytes)
    }

    @Test func ownAssetsStayWithinTheirBudget() {
        let compressed = Assets.all.reduce(0) { $0 + $1.gzipped.count }
        #expect(compressed <= 60 * 1024, "\(compressed) bytes gzipped")
    }

    @Test func durationsReadNaturally() {
        #expect(StatusPresentation.duration(4.26) == "4.3 s")
        #expect(StatusPresentation.duration(42) == "42 s")
        #expect(StatusPresentation.duration(125) == "2 min 5 s")
        #expect(StatusPresentation.duration(3725) == "1 h 2 min")
    }
}
