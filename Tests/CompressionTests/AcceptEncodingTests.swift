// slipway — Compression tests
// SPDX-License-Identifier: Apache-2.0

import Testing
@testable import Compression

@Suite("Accept-Encoding negotiation")
struct AcceptEncodingTests {
    /// Header value (nil = no header) and the coding the server must choose among
    /// gzip and identity (nil = nothing acceptable, answer 406).
    static let table: [(header: String?, expected: ContentCoding?)] = [
        (nil, .identity),
        ("", .identity),
        ("   ", .identity),
        ("gzip", .gzip),
        ("GZIP", .gzip),
        ("Gzip;Q=0.5", .gzip),
        ("x-gzip", .gzip),
        ("gzip;q=0", .identity),
        ("gzip;q=0.000", .identity),
        ("*", .gzip),
        ("*;q=0", nil),
        ("identity;q=0", nil),
        ("identity;q=0, gzip", .gzip),
        ("identity", .identity),
        ("gzip;q=0.001", .gzip),
        ("gzip;q=1", .gzip),
        ("gzip;q=1.000", .gzip),
        ("gzip;q=1.0001", .identity),
        ("gzip;q=1.001", .identity),
        ("gzip;q=0.0001", .identity),
        ("gzip;q=2", .identity),
        ("gzip;q=-1", .identity),
        ("gzip;q=.5", .identity),
        ("gzip;q=", .identity),
        ("gzip;q=abc", .identity),
        ("gzip;q=0.", .identity),
        ("gzip;level=9", .identity),
        ("gzip;q=0.5;q=1", .identity),
        ("br", .identity),
        ("deflate", .identity),
        ("compress, br, zstd", .identity),
        ("br;q=1, *;q=0", nil),
        ("gzip , deflate", .gzip),
        ("gzip,deflate,br", .gzip),
        ("deflate, gzip;q=0.1", .gzip),
        (";q=1", .identity),
        (";q=1, *;q=0", nil),
        (",,gzip,,", .gzip),
        ("gz ip", .identity),
        ("gzip;q=0.5, br;q=1, *;q=0", .gzip),
        ("gzip;q=0.5, identity", .identity),
        ("gzip;q=0.5, identity;q=0.5", .gzip),
        ("gzip;q=0.4, identity;q=0.5", .identity),
        ("  gzip ;  q=0.8 ,identity; q=0.2", .gzip),
        ("gzip\t;\tq=0.9", .gzip),
        ("gzip; q = 0.5", .gzip),
        ("*;q=0, identity", .identity),
        ("*;q=0, gzip;q=0.1", .gzip),
        ("gzip;q=0, *", .identity),
        ("*;q=0.5, gzip;q=0", .identity),
        ("gzip;q=0, gzip;q=1", .gzip),
        ("x-gzip;q=0, gzip;q=0.2", .gzip),
        ("identity;q=0, *;q=0", nil),
        ("identity;q=0, br", nil),
    ]

    @Test("negotiate picks the coding RFC 9110 §12.5.3 calls for", arguments: table)
    func negotiate(_ row: (header: String?, expected: ContentCoding?)) {
        #expect(ContentCoding.negotiate(acceptEncoding: row.header) == row.expected, "\(String(describing: row.header))")
    }

    @Test("the server's order breaks ties")
    func serverPreference() {
        #expect(ContentCoding.negotiate(acceptEncoding: "*", supported: [.identity, .gzip]) == .identity)
        #expect(ContentCoding.negotiate(acceptEncoding: "gzip, deflate", supported: [.deflate, .gzip, .identity]) == .deflate)
        #expect(ContentCoding.negotiate(acceptEncoding: "br", supported: [.gzip]) == nil)
        #expect(ContentCoding.negotiate(acceptEncoding: nil, supported: [.gzip]) == .gzip)
    }

    static let parseTable: [(header: String, members: [AcceptEncoding.Member])] = [
        ("gzip", [.init(coding: "gzip", quality: 1000)]),
        ("GZip;q=0.5, *;Q=0", [.init(coding: "gzip", quality: 500), .init(coding: "*", quality: 0)]),
        ("br;q=0.25, gzip;q=1.0", [.init(coding: "br", quality: 250), .init(coding: "gzip", quality: 1000)]),
        ("gzip;q=0.001", [.init(coding: "gzip", quality: 1)]),
        ("gzip;q=1.0001, br", [.init(coding: "br", quality: 1000)]),
        ("", []),
        (";q=1", []),
    ]

    @Test("parsing keeps well-formed members with qualities in thousandths", arguments: parseTable)
    func parse(_ row: (header: String, members: [AcceptEncoding.Member])) {
        #expect(AcceptEncoding(parsing: row.header).members == row.members)
    }

    @Test("quality(of:) falls back to the wildcard, and gzip matches x-gzip")
    func qualityLookup() {
        let accepted = AcceptEncoding(parsing: "x-gzip;q=0.3, *;q=0.1")
        #expect(accepted.quality(of: .gzip) == 300)
        #expect(accepted.quality(of: .identity) == 100)
        #expect(AcceptEncoding(parsing: "br").quality(of: .identity) == nil)
    }
}
