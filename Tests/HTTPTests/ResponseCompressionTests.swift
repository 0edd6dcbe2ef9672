// slipway — HTTP tests
// SPDX-License-Identifier: Apache-2.0

import Compression
import Testing
@testable import HTTP

@Suite("response compression")
struct ResponseCompressionTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var acceptEncoding: String? = "gzip"
        var contentType: String? = "application/json"
        var size = 4096
        var method: HTTPMethod = .get
        var status: HTTPStatus = .ok
        var existingEncoding: String?
        var enabled = true
        var compressed: Bool
        var vary: Bool
        var testDescription: String { self.name }
    }

    static let cases: [Case] = [
        Case(name: "gzip accepted, JSON, large", compressed: true, vary: true),
        Case(name: "q-values: gzip preferred", acceptEncoding: "identity;q=0.5, gzip;q=0.8", compressed: true, vary: true),
        Case(name: "x-gzip", acceptEncoding: "x-gzip", compressed: true, vary: true),
        Case(name: "wildcard", acceptEncoding: "*", compressed: true, vary: true),
        Case(name: "no Accept-Encoding", acceptEncoding: nil, compressed: false, vary: true),
        Case(name: "gzip;q=0", acceptEncoding: "gzip;q=0", compressed: false, vary: true),
        Case(name: "br only", acceptEncoding: "br", compressed: false, vary: true),
        Case(name: "identity preferred", acceptEncoding: "gzip;q=0.1, identity", compressed: false, vary: true),
        Case(name: "below the threshold", size: 100, compressed: false, vary: false),
        Case(name: "below the threshold, identity refused", acceptEncoding: "gzip, identity;q=0", size: 100, compressed: true, vary: true),
        Case(name: "below the threshold, *;q=0", acceptEncoding: "gzip, *;q=0", size: 100, compressed: true, vary: true),
        Case(name: "text/plain", contentType: "text/plain; charset=utf-8", compressed: true, vary: true),
        Case(name: "problem+json", contentType: "application/problem+json", compressed: true, vary: true),
        Case(name: "octet-stream", contentType: "application/octet-stream", compressed: false, vary: false),
        Case(name: "image", contentType: "image/png", compressed: false, vary: false),
        Case(name: "no Content-Type", contentType: nil, compressed: false, vary: false),
        Case(name: "HEAD", method: .head, compressed: false, vary: false),
        Case(name: "204", status: .noContent, compressed: false, vary: false),
        Case(name: "304", status: .notModified, compressed: false, vary: false),
        Case(name: "already encoded", existingEncoding: "br", compressed: false, vary: false),
        Case(name: "switched off", enabled: false, compressed: false, vary: false),
        Case(name: "empty body", size: 0, compressed: false, vary: false),
    ]

    static func body(size: Int) -> [UInt8] {
        Array(String(repeating: #"{"id":1,"state":"running"},"#, count: size / 26 + 1).utf8.prefix(size))
    }

    @Test(arguments: cases)
    func appliesThePolicy(_ testCase: Case) throws {
        var fields = HTTPFields()
        if let contentType = testCase.contentType { fields.append(name: "Content-Type", value: contentType) }
        if let existing = testCase.existingEncoding { fields.append(name: "Content-Encoding", value: existing) }
        let original = Self.body(size: testCase.size)
        let response = HTTPResponse(status: testCase.status, fields: fields, body: ResponseBody(bytes: original))
        var requestFields = HTTPFields()
        if let accept = testCase.acceptEncoding { requestFields.append(name: "Accept-Encoding", value: accept) }
        var configuration = ResponseCompressionConfiguration()
        configuration.enabled = testCase.enabled
        let result = ResponseCompression.apply(response, method: testCase.method, requestFields: requestFields, configuration: configuration)
        #expect((result.fields["content-encoding"] == "gzip") == testCase.compressed)
        #expect(result.fields.tokens("vary").contains("accept-encoding") == testCase.vary)
        let bytes = try #require(result.body.bytes)
        if testCase.compressed {
            #expect(try BodyInflater.inflate(bytes, format: .gzip, outputLimit: 1 << 20) == original)
        } else {
            #expect(bytes == original)
        }
    }

    @Test func keepsAnExistingVary() {
        let response = HTTPResponse(fields: ["Content-Type": "text/plain", "Vary": "Origin"], body: ResponseBody(bytes: Self.body(size: 5000)))
        let result = ResponseCompression.apply(response, method: .get, requestFields: ["Accept-Encoding": "gzip"], configuration: ResponseCompressionConfiguration())
        #expect(result.fields["vary"] == "Origin, Accept-Encoding")
        let starred = HTTPResponse(fields: ["Content-Type": "text/plain", "Vary": "*"], body: ResponseBody(bytes: Self.body(size: 5000)))
        #expect(ResponseCompression.apply(starred, method: .get, requestFields: ["Accept-Encoding": "gzip"], configuration: ResponseCompressionConfiguration()).fields.values("vary") == ["*"])
    }

    /// A stream is compressed piece by piece: every write reaches the sink sync-flushed, so
    /// what arrived so far always inflates to exactly what was written so far.
    @Test func compressesAStreamAsItIsWritten() async throws {
        let lines = (0..<20).map { "log line \($0): " + String(repeating: "x", count: $0 * 10) + "\n" }
        let response = HTTPResponse(fields: ["Content-Type": "text/plain"], body: .stream { writer in
            for line in lines { try await writer.write(line) }
        })
        let result = ResponseCompression.apply(response, method: .get, requestFields: ["Accept-Encoding": "gzip"], configuration: ResponseCompressionConfiguration())
        #expect(result.fields["content-encoding"] == "gzip")
        #expect(result.body.knownLength == nil)
        guard case .stream(_, let producer) = result.body.storage else {
            Issue.record("not a stream")
            return
        }
        let sink = RecordingSink()
        try await producer(ResponseBodyWriter(sink: sink))
        let pieces = sink.pieces
        #expect(pieces.count == lines.count + 1)  // one per write, then the trailer
        var inflater = BodyInflater(format: .gzip, outputLimit: 1 << 20)
        var decoded: [UInt8] = []
        for (index, piece) in pieces.enumerated() {
            try inflater.inflate(piece, into: &decoded)
            if index < lines.count {
                #expect(decoded == Array(lines[0...index].joined().utf8), "piece \(index) did not flush")
            }
        }
        try inflater.finish()
        #expect(decoded == Array(lines.joined().utf8))
    }
}

/// Collects what a streaming body writes.
final class RecordingSink: ResponseBodySink, @unchecked Sendable {
    // @unchecked: written by one producer at a time, read after it finished.
    private(set) var pieces: [[UInt8]] = []
    func enqueue(_ bytes: [UInt8], completion: @escaping @Sendable (Error?) -> Void) {
        self.pieces.append(bytes)
        completion(nil)
    }
    func finish(error: Error?) {}
}
