// slipway — HTTP tests
// SPDX-License-Identifier: Apache-2.0

import Compression
import Testing
@testable import HTTP

@Suite("request body decoding")
struct RequestBodyDecoderTests {
    static let payload = Array(String(repeating: #"{"ref":"refs/heads/main","after":"0123abcd"}"#, count: 200).utf8)

    static func corrupt(_ bytes: [UInt8]) -> [UInt8] {
        var bytes = bytes
        bytes[bytes.count / 2] ^= 0xFF
        return bytes
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var contentEncoding: [String]
        var body: [UInt8]
        var limit = 1 << 20
        /// nil: decoded to `payload`.
        var status: Int?
        var testDescription: String { self.name }
    }

    static let cases: [Case] = [
        Case(name: "gzip", contentEncoding: ["gzip"], body: GzipEncoder.gzip(payload), status: nil),
        Case(name: "x-gzip", contentEncoding: ["x-gzip"], body: GzipEncoder.gzip(payload), status: nil),
        Case(name: "deflate (zlib)", contentEncoding: ["deflate"], body: GzipEncoder.compressed(payload, format: .deflate), status: nil),
        Case(name: "identity", contentEncoding: ["identity"], body: payload, status: nil),
        Case(name: "10 MB of zeros (bomb)", contentEncoding: ["gzip"], body: GzipEncoder.gzip([UInt8](repeating: 0, count: 10 << 20), level: 9), limit: 4 << 20, status: 413),
        Case(name: "over the limit", contentEncoding: ["gzip"], body: GzipEncoder.gzip(payload), limit: 1000, status: 413),
        Case(name: "corrupt", contentEncoding: ["gzip"], body: corrupt(GzipEncoder.gzip(payload)), status: 400),
        Case(name: "truncated", contentEncoding: ["gzip"], body: Array(GzipEncoder.gzip(payload).dropLast(10)), status: 400),
        Case(name: "not gzip at all", contentEncoding: ["gzip"], body: payload, status: 400),
        Case(name: "br", contentEncoding: ["br"], body: payload, status: 415),
        Case(name: "stacked on one line", contentEncoding: ["gzip, gzip"], body: payload, status: 415),
        Case(name: "stacked on two lines", contentEncoding: ["gzip", "deflate"], body: payload, status: 415),
    ]

    @Test(arguments: cases)
    func decodesOrRefuses(_ testCase: Case) {
        var fields = HTTPFields()
        for value in testCase.contentEncoding { fields.append(name: "Content-Encoding", value: value) }
        let decoder: RequestBodyDecoder?
        switch RequestBodyDecoder.make(for: fields, limit: testCase.limit) {
        case .success(let made):
            decoder = made
        case .failure(let error):
            #expect(error.status.code == testCase.status)
            #expect(error.fields["Accept-Encoding"] == "gzip, deflate")
            return
        }
        guard let decoder else {
            #expect(testCase.status == nil && testCase.body == Self.payload, "identity needs no decoder")
            return
        }
        var result: Result<[UInt8], HTTPError>
        do {
            // Fed in pieces, as a connection does.
            for start in stride(from: 0, to: testCase.body.count, by: 1000) {
                try testCase.body[start..<min(start + 1000, testCase.body.count)].withUnsafeBytes { try decoder.append($0) }
            }
            result = .success(try decoder.finish())
        } catch let error as HTTPError {
            result = .failure(error)
        } catch {
            Issue.record("unexpected \(error)")
            return
        }
        switch result {
        case .success(let decoded):
            #expect(testCase.status == nil)
            #expect(decoded == Self.payload)
        case .failure(let error):
            #expect(error.status.code == testCase.status, "\(error)")
        }
        // A bomb is stopped long before its 10 MB are produced.
        #expect(decoder.decodedCount <= testCase.limit)
    }
}
