// slipway — Compression tests
// SPDX-License-Identifier: Apache-2.0

import Testing
@testable import Compression

@Suite("GzipEncoder")
struct GzipEncoderTests {
    static let text = TestData.jsonLines(byteCount: 200_000)

    /// Compresses `input` fed in `chunking`'s pieces.
    static func compress(_ input: [UInt8], level: Int, format: CompressionFormat, chunking: Chunking) -> [UInt8] {
        var encoder = GzipEncoder(level: level, format: format)
        var output: [UInt8] = []
        for chunk in chunking.chunks(of: input, seed: UInt64(level)) {
            encoder.compress(chunk, into: &output)
        }
        encoder.finish(into: &output)
        return output
    }

    @Test("round trip through zlib inflate", arguments: [1, 6, 9], Chunking.allCases)
    func roundTrip(level: Int, chunking: Chunking) {
        // 1-byte feeding calls deflate once per byte; keep that input smaller.
        let input = chunking == .oneByte ? Array(Self.text.prefix(30_000)) : Self.text
        for format in CompressionFormat.allCases {
            let compressed = Self.compress(input, level: level, format: format, chunking: chunking)
            #expect(compressed.count < input.count / 3, "JSON lines should shrink at level \(level)")
            let inflated = inflateChunks(Chunking.random.chunks(of: compressed), format: format)
            #expect(inflated.value == input, "\(format) level \(level) \(chunking)")
        }
    }

    @Test("chunking does not change the output")
    func chunkingIsInvisible() {
        let whole = Self.compress(Self.text, level: 6, format: .gzip, chunking: .whole)
        let random = Self.compress(Self.text, level: 6, format: .gzip, chunking: .random)
        #expect(whole == random)
    }

    @Test("incompressible data round-trips and grows only by framing", arguments: CompressionFormat.allCases)
    func incompressible(format: CompressionFormat) {
        let input = TestData.random(byteCount: 300_000)
        let compressed = GzipEncoder.compressed(input, level: 6, format: format)
        #expect(compressed.count <= input.count + input.count / 1000 + 64)
        #expect(inflateChunks([compressed[...]], format: format).value == input)
    }

    @Test("gzip framing: magic, method, and a CRC-32/ISIZE trailer")
    func gzipFraming() {
        let input = Array("hello, slipway\n".utf8)
        let compressed = GzipEncoder.gzip(input)
        #expect(Array(compressed.prefix(3)) == [0x1f, 0x8b, 0x08])
        let isize = compressed.suffix(4).reversed().reduce(0) { $0 << 8 | Int($1) }
        #expect(isize == input.count)
    }

    @Test("zlib framing: CM=8 and a header that is a multiple of 31")
    func zlibFraming() {
        let compressed = GzipEncoder.compressed(Array("hello".utf8), format: .deflate)
        #expect(compressed[0] & 0x0f == 8)
        #expect((Int(compressed[0]) << 8 | Int(compressed[1])) % 31 == 0)
    }

    @Test("empty input gives a valid, empty stream", arguments: CompressionFormat.allCases)
    func emptyInput(format: CompressionFormat) {
        let compressed = GzipEncoder.compressed([UInt8](), format: format)
        #expect(compressed.count == (format == .gzip ? 20 : 8))
        #expect(inflateChunks([compressed[...]], format: format).value == [])
    }

    @Test("higher levels compress at least as well on text")
    func levelsMatter() {
        let sizes = [1, 6, 9].map { GzipEncoder.gzip(Self.text, level: $0).count }
        #expect(sizes[0] > sizes[1])
        #expect(sizes[1] >= sizes[2])
    }

    @Test("finish resets the encoder for an independent next stream")
    func reuseAfterFinish() {
        var encoder = GzipEncoder()
        var first: [UInt8] = []
        encoder.compress(Array("first body".utf8), into: &first)
        encoder.finish(into: &first)
        #expect(encoder.totalInput == 0)
        var second: [UInt8] = []
        encoder.compress(Array("second body".utf8), into: &second)
        encoder.finish(into: &second)
        #expect(inflateChunks([first[...]], format: .gzip).value == Array("first body".utf8))
        #expect(inflateChunks([second[...]], format: .gzip).value == Array("second body".utf8))
        #expect(first == GzipEncoder.gzip(Array("first body".utf8)))
    }

    @Test("output is appended after what the array already holds")
    func appends() {
        var output: [UInt8] = Array("HTTP/1.1 200 OK\r\n\r\n".utf8)
        var encoder = GzipEncoder()
        encoder.compress(Self.text, into: &output)
        encoder.finish(into: &output)
        #expect(Array(output.prefix(19)) == Array("HTTP/1.1 200 OK\r\n\r\n".utf8))
        #expect(inflateChunks([output[19...]], format: .gzip).value == Self.text)
    }

    @Test("a collection without contiguous storage compresses the same")
    func nonContiguousInput() {
        var encoder = GzipEncoder()
        var output: [UInt8] = []
        // A lazy map has no contiguous storage and is longer than the 4 KiB staging buffer.
        encoder.compress(Self.text.lazy.map { $0 }, into: &output)
        encoder.finish(into: &output)
        #expect(output == GzipEncoder.gzip(Self.text))
    }

    @Test("totals count input and output of the current stream")
    func totals() {
        var encoder = GzipEncoder()
        var output: [UInt8] = []
        encoder.compress(Self.text, into: &output)
        #expect(encoder.totalInput == Self.text.count)
        #expect(encoder.totalOutput == output.count)
        encoder.flush(into: &output)
        #expect(encoder.totalOutput == output.count)
        encoder.finish(into: &output)
        // finish starts a new stream.
        #expect(encoder.totalInput == 0)
        #expect(encoder.totalOutput == 0)
    }
}
