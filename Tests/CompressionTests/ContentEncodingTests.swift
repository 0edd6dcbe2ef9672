// slipway — Compression tests
// SPDX-License-Identifier: Apache-2.0

import Testing
@testable import Compression

@Suite("request Content-Encoding")
struct ContentEncodingTests {
    typealias Reason = UnsupportedContentEncoding.Reason

    /// What a row expects.
    enum Expected: Sendable, CustomStringConvertible {
        case success(ContentCoding)
        case failure(Reason)

        var description: String {
            switch self {
            case .success(let coding): "\(coding)"
            case .failure(let reason): "unsupported: \(reason)"
            }
        }
    }

    /// Header value (nil = absent) and the result: a coding, or why it is unsupported.
    static let table: [(header: String?, expected: Expected)] = [
        (nil, .success(.identity)),
        ("", .success(.identity)),
        ("  ", .success(.identity)),
        (", ,", .success(.identity)),
        ("identity", .success(.identity)),
        ("IDENTITY", .success(.identity)),
        ("gzip", .success(.gzip)),
        ("GZIP", .success(.gzip)),
        ("x-gzip", .success(.gzip)),
        ("X-Gzip", .success(.gzip)),
        (" gzip\t", .success(.gzip)),
        ("gzip,", .success(.gzip)),
        ("deflate", .success(.deflate)),
        ("Deflate", .success(.deflate)),
        ("br", .failure(.unknownCoding("br"))),
        ("zstd", .failure(.unknownCoding("zstd"))),
        ("compress", .failure(.unknownCoding("compress"))),
        ("x-compress", .failure(.unknownCoding("x-compress"))),
        ("BR", .failure(.unknownCoding("br"))),
        ("gzip, gzip", .failure(.stackedCodings(["gzip", "gzip"]))),
        ("gzip, deflate", .failure(.stackedCodings(["gzip", "deflate"]))),
        ("deflate,gzip", .failure(.stackedCodings(["deflate", "gzip"]))),
        ("identity, gzip", .failure(.stackedCodings(["identity", "gzip"]))),
        ("gzip, br", .failure(.stackedCodings(["gzip", "br"]))),
        ("gzip;q=1", .failure(.malformed)),
        (";", .failure(.malformed)),
        ("gz ip", .failure(.malformed)),
        ("gzip deflate", .failure(.malformed)),
        ("\"gzip\"", .failure(.malformed)),
    ]

    @Test("Content-Encoding maps to a coding or a typed 415 reason", arguments: table)
    func parse(_ row: (header: String?, expected: Expected)) {
        let result = ContentCoding.parseContentEncoding(row.header)
        switch (result, row.expected) {
        case (.success(let coding), .success(let expected)):
            #expect(coding == expected)
        case (.failure(let unsupported), .failure(let expected)):
            #expect(unsupported.reason == expected)
            #expect(unsupported.fieldValue == row.header)
            #expect(!unsupported.message.isEmpty)
        default:
            Issue.record("\(String(describing: row.header)): got \(result), expected \(row.expected)")
        }
    }

    @Test("the decoded coding names the inflater's format")
    func formats() {
        #expect(ContentCoding.gzip.compressionFormat == .gzip)
        #expect(ContentCoding.deflate.compressionFormat == .deflate)
        #expect(ContentCoding.identity.compressionFormat == nil)
        #expect(ContentCoding.requestCodings.map(\.rawValue).joined(separator: ", ") == "gzip, deflate")
    }
}

@Suite("isCompressible")
struct CompressibleTests {
    static let table: [(contentType: String, compressible: Bool)] = [
        ("text/plain", true),
        ("text/plain; charset=utf-8", true),
        ("TEXT/HTML", true),
        ("text/csv", true),
        ("text/event-stream", true),
        ("application/json", true),
        ("application/json; charset=utf-8", true),
        ("Application/JSON", true),
        ("application/problem+json", true),
        ("application/vnd.gitlab+json", true),
        ("application/xml", true),
        ("application/atom+xml", true),
        ("image/svg+xml", true),
        ("application/javascript", true),
        ("application/x-ndjson", true),
        ("application/yaml", true),
        ("  application/json  ", true),
        ("image/png", false),
        ("image/jpeg", false),
        ("image/webp", false),
        ("video/mp4", false),
        ("audio/mpeg", false),
        ("application/octet-stream", false),
        ("application/gzip", false),
        ("application/zip", false),
        ("application/x-tar", false),
        ("application/zstd", false),
        ("application/pdf", false),
        ("application/wasm", false),
        ("", false),
        ("json", false),
        ("text/", false),
        ("*/*", false),
        ("text/*", false),
        ("application/json+", false),
    ]

    @Test("compressible media types", arguments: table)
    func compressible(_ row: (contentType: String, compressible: Bool)) {
        #expect(ContentCoding.isCompressible(contentType: row.contentType) == row.compressible, "\(row.contentType)")
    }
}
