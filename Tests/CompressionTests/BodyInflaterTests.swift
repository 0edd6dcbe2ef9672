// slipway — Compression tests
// SPDX-License-Identifier: Apache-2.0

import Testing
@testable import Compression

@Suite("BodyInflater")
struct BodyInflaterTests {
    static let text = TestData.jsonLines(byteCount: 20_000, seed: 3)
    static let gzipped = GzipEncoder.gzip(text)
    static let zlibbed = GzipEncoder.compressed(text, format: .deflate)
    /// Bare RFC 1951 data: the zlib stream without its 2-byte header and Adler-32.
    static let rawDeflate = Array(zlibbed.dropFirst(2).dropLast(4))

    // MARK: Valid bodies

    @Test("every split point of a small body gives the same result",
          arguments: [("gzip", CompressionFormat.gzip), ("zlib", .deflate), ("raw", .deflate)])
    func everySplitPoint(variant: (name: String, format: CompressionFormat)) {
        let input = Array("{\"job\":1,\"state\":\"running\"}\n".utf8)
        var body = GzipEncoder.compressed(input, format: variant.format)
        if variant.name == "raw" { body = Array(body.dropFirst(2).dropLast(4)) }
        for split in 0...body.count {
            let result = inflateChunks([body[..<split], body[split...]], format: variant.format)
            #expect(result.value == input, "\(variant.name) split at \(split)")
        }
    }

    @Test("two gzip members split at every point around the boundary")
    func multiMemberSplits() {
        let first = GzipEncoder.gzip(Array("first\n".utf8))
        let second = GzipEncoder.gzip(Array("second\n".utf8))
        let body = first + second
        for split in (first.count - 3)...(first.count + 3) {
            let result = inflateChunks([body[..<split], body[split...]], format: .gzip)
            #expect(result.value == Array("first\nsecond\n".utf8), "split at \(split)")
        }
        var inflater = BodyInflater(format: .gzip, outputLimit: 100)
        var output: [UInt8] = []
        #expect(throws: Never.self) {
            try inflater.inflate(body, into: &output)
            try inflater.finish()
        }
        #expect(inflater.completedMembers == 2)
    }

    @Test("bare deflate is accepted as Content-Encoding: deflate", arguments: Chunking.allCases)
    func rawDeflate(chunking: Chunking) {
        #expect(inflateChunks(chunking.chunks(of: Self.rawDeflate), format: .deflate).value == Self.text)
    }

    @Test("emit hands out at most one window at a time")
    func emitIsBoundedByWindow() throws {
        var inflater = BodyInflater(format: .gzip, outputLimit: 1 << 20, windowSize: 1000)
        var largest = 0
        var total = 0
        try Self.gzipped.withUnsafeBytes { bytes in
            try inflater.inflate(bytes) { piece in
                largest = max(largest, piece.count)
                total += piece.count
            }
        }
        try inflater.finish()
        #expect(largest == 1000)
        #expect(total == Self.text.count)
        #expect(inflater.totalOutput == Self.text.count)
        #expect(inflater.totalInput == Self.gzipped.count)
    }

    @Test("output exactly at the limit is accepted; one byte less is refused")
    func outputLimitBoundary() throws {
        #expect(failureCode(Self.gzipped, format: .gzip, outputLimit: Self.text.count) == nil)
        var inflater = BodyInflater(format: .gzip, outputLimit: Self.text.count - 1)
        var output: [UInt8] = []
        let error = #expect(throws: CompressionError.self) { try inflater.inflate(Self.gzipped, into: &output) }
        #expect(error?.code == .outputLimitExceeded)
        #expect(output.count <= Self.text.count - 1)
    }

    @Test("small repetitive bodies pass the ratio check; the ratio is checked only past 64 KiB")
    func ratioThreshold() {
        let small = [UInt8](repeating: UInt8(ascii: "a"), count: 60_000)
        #expect(GzipEncoder.gzip(small).count * 100 < small.count, "ratio is above 100:1")
        #expect(failureCode(GzipEncoder.gzip(small), format: .gzip) == nil)
        let large = [UInt8](repeating: UInt8(ascii: "a"), count: 200_000)
        #expect(failureCode(GzipEncoder.gzip(large), format: .gzip) == .ratioLimitExceeded)
        #expect(failureCode(GzipEncoder.gzip(large), format: .gzip, ratioLimit: nil) == nil)
        #expect(failureCode(GzipEncoder.gzip(large), format: .gzip, ratioLimit: 10_000) == nil)
    }

    // MARK: Each malformed body and its error

    static func flipping(_ body: [UInt8], at offset: Int) -> [UInt8] {
        var copy = body
        copy[offset] ^= 0x55
        return copy
    }

    /// The body and the error it must produce.
    static let malformed: [(name: String, format: CompressionFormat, body: [UInt8], code: CompressionError.Code)] = [
        ("truncated by one byte", .gzip, Array(gzipped.dropLast()), .truncated),
        ("trailer missing", .gzip, Array(gzipped.dropLast(8)), .truncated),
        ("cut in half", .gzip, Array(gzipped.prefix(gzipped.count / 2)), .truncated),
        ("header only", .gzip, Array(gzipped.prefix(10)), .truncated),
        ("one byte", .gzip, [0x1f], .truncated),
        ("zlib truncated", .deflate, Array(zlibbed.dropLast()), .truncated),
        ("raw deflate truncated", .deflate, Array(rawDeflate.dropLast(3)), .truncated),
        ("deflate single byte", .deflate, [0x78], .truncated),
        ("corrupt CRC-32", .gzip, flipping(gzipped, at: gzipped.count - 6), .checksumMismatch),
        ("corrupt ISIZE", .gzip, flipping(gzipped, at: gzipped.count - 2), .lengthMismatch),
        ("ISIZE claiming 4 GiB", .gzip, Array(gzipped.dropLast(4)) + [0xff, 0xff, 0xff, 0xff], .lengthMismatch),
        ("corrupt Adler-32", .deflate, flipping(zlibbed, at: zlibbed.count - 1), .checksumMismatch),
        ("trailing byte", .gzip, gzipped + [0x0a], .trailingGarbage),
        ("trailing zeros", .gzip, gzipped + [0, 0, 0, 0], .trailingGarbage),
        ("trailing text", .gzip, gzipped + Array("garbage".utf8), .trailingGarbage),
        ("first magic byte then garbage", .gzip, gzipped + [0x1f, 0x00], .trailingGarbage),
        ("lone first magic byte after the end", .gzip, gzipped + [0x1f], .truncated),
        ("zlib trailing byte", .deflate, zlibbed + [0x00], .trailingGarbage),
        ("raw deflate trailing byte", .deflate, rawDeflate + [0x00], .trailingGarbage),
        ("garbage header", .gzip, Array("this is not gzip at all".utf8), .invalidHeader),
        ("method 7", .gzip, [0x1f, 0x8b, 0x07] + Array(gzipped.dropFirst(3)), .invalidHeader),
        ("reserved flag bits", .gzip, [0x1f, 0x8b, 0x08, 0xe0] + Array(gzipped.dropFirst(4)), .invalidHeader),
        ("zlib data declared as gzip", .gzip, zlibbed, .invalidHeader),
        ("gzip data declared as deflate", .deflate, gzipped, .corruptData),
        ("zlib header with preset dictionary", .deflate, [0x78, 0x20, 0, 0, 0, 1] + Array(zlibbed.dropFirst(2)), .invalidHeader),
        ("reserved block type", .gzip, Array(gzipped.prefix(10)) + [0x07] + Array(gzipped.dropFirst(11)), .corruptData),
        ("empty gzip body", .gzip, [], .emptyInput),
        ("empty deflate body", .deflate, [], .emptyInput),
    ]

    @Test("each malformed body gives its specific error", arguments: malformed)
    func malformedBody(_ testCase: (name: String, format: CompressionFormat, body: [UInt8], code: CompressionError.Code)) {
        for chunking in [Chunking.whole, .oneByte] {
            let result = inflateChunks(chunking.chunks(of: testCase.body), format: testCase.format)
            guard case .failure(let error) = result else {
                Issue.record("\(testCase.name) (\(chunking)) inflated without an error")
                continue
            }
            #expect(error.code == testCase.code, "\(testCase.name) (\(chunking)): \(error)")
            #expect(!error.message.isEmpty)
        }
    }

    @Test("zlib's return code and message are kept as the cause")
    func causeFromZlib() {
        guard case .failure(let error) = inflateChunks([Self.flipping(Self.gzipped, at: Self.gzipped.count - 6)[...]], format: .gzip) else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.cause?.returnCodeName == "Z_DATA_ERROR")
        #expect(error.cause?.message == "incorrect data check")
        #expect(error.message.contains("CRC-32"))
    }

    @Test("data after a completed body fed in a later call is trailing garbage")
    func trailingGarbageInLaterChunk() {
        for format in CompressionFormat.allCases {
            let body = format == .gzip ? Self.gzipped : Self.zlibbed
            let result = inflateChunks([body[...], [0x42][...]], format: format)
            #expect(result.failure?.code == .trailingGarbage)
        }
        var inflater = BodyInflater(format: .deflate, outputLimit: 1 << 20)
        var output: [UInt8] = []
        #expect(throws: Never.self) {
            try inflater.inflate(Self.zlibbed, into: &output)
            try inflater.finish()
        }
        let error = #expect(throws: CompressionError.self) { try inflater.inflate([0x00], into: &output) }
        #expect(error?.code == .trailingGarbage)
    }

    @Test("an error is sticky: later calls throw it again")
    func errorsAreSticky() {
        var inflater = BodyInflater(format: .gzip, outputLimit: 1 << 20)
        var output: [UInt8] = []
        let first = #expect(throws: CompressionError.self) { try inflater.inflate(Array("nope".utf8), into: &output) }
        let second = #expect(throws: CompressionError.self) { try inflater.inflate(Self.gzipped, into: &output) }
        let third = #expect(throws: CompressionError.self) { try inflater.finish() }
        #expect(first == second)
        #expect(second == third)
        #expect(output.isEmpty)
    }

    @Test("empty chunks are ignored; an empty body is reported at finish")
    func emptyChunks() {
        #expect(inflateChunks([[], [], []], format: .gzip).failure?.code == .emptyInput)
        #expect(inflateChunks([[], Self.gzipped[...], []], format: .gzip).value == Self.text)
    }

    @Test("a stream of empty blocks with no output stops at the input limit")
    func inputLimit() {
        // Non-final empty stored blocks (00 00 00 ff ff) decode to nothing, forever, so
        // neither the output limit nor the ratio ever trips.
        let emptyBlocks = Array(repeating: [UInt8]([0x00, 0x00, 0x00, 0xff, 0xff]), count: 10_000).joined()
        let body = Array(Self.gzipped.prefix(10)) + emptyBlocks
        var inflater = BodyInflater(format: .gzip, outputLimit: 1000)
        #expect(inflater.inputLimit == 1000)
        var output: [UInt8] = []
        var failure: CompressionError?
        for chunk in Chunking.random.chunks(of: body) {
            do throws(CompressionError) { try inflater.inflate(chunk, into: &output) } catch {
                failure = error
                break
            }
        }
        #expect(failure?.code == .inputLimitExceeded)
        #expect(inflater.totalInput <= inflater.inputLimit)
    }
}

extension Result {
    /// The failure, or `nil`.
    var failure: Failure? {
        if case .failure(let failure) = self { failure } else { nil }
    }
}
