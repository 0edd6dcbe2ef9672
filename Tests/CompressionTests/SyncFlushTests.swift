// slipway — Compression tests
// SPDX-License-Identifier: Apache-2.0

import Testing
@testable import Compression

@Suite("GzipEncoder sync flush")
struct SyncFlushTests {
    /// Log lines as a streamed job log would send them, one write each.
    static let lines: [[UInt8]] = (0..<25).map { index in
        Array(#"{"ts":"2025-01-01T00:00:\#(index)Z","stream":"stdout","line":"Step \#(index)/25 : RUN make build"}"#.utf8 + [10])
    }

    /// Compresses the lines with a flush after each, returning the output and the output
    /// length after each flush.
    static func flushedStream(format: CompressionFormat) -> (output: [UInt8], flushOffsets: [Int]) {
        var encoder = GzipEncoder(format: format)
        var output: [UInt8] = []
        var offsets: [Int] = []
        for line in lines {
            encoder.compress(line, into: &output)
            encoder.flush(into: &output)
            offsets.append(output.count)
        }
        encoder.finish(into: &output)
        return (output, offsets)
    }

    @Test("after each flush the bytes so far inflate to exactly the input so far", arguments: CompressionFormat.allCases)
    func prefixesInflate(format: CompressionFormat) {
        let (output, offsets) = Self.flushedStream(format: format)
        for (index, offset) in offsets.enumerated() {
            var inflater = BodyInflater(format: format, outputLimit: 1 << 20)
            var inflated: [UInt8] = []
            #expect(throws: Never.self) { try inflater.inflate(output[..<offset], into: &inflated) }
            #expect(inflated == Array(Self.lines[...index].joined()), "after flush \(index)")
            // A sync flush ends with an empty stored block: 00 00 ff ff.
            #expect(Array(output[(offset - 4)..<offset]) == [0x00, 0x00, 0xff, 0xff])
        }
        #expect(inflateChunks([output[...]], format: format).value == Array(Self.lines.joined()))
    }

    @Test("python's zlib agrees: each flushed prefix decompresses to the input so far", arguments: CompressionFormat.allCases)
    func prefixesInflateInPython(format: CompressionFormat) async throws {
        let (output, offsets) = Self.flushedStream(format: format)
        // For each offset, a fresh decompressobj gets the prefix; print what it yields.
        let program = """
        import sys, zlib
        data = sys.stdin.buffer.read()
        out = sys.stdout.buffer
        for offset in map(int, sys.argv[1].split(',')):
            d = zlib.decompressobj(\(format == .gzip ? 31 : 15))
            text = d.decompress(data[:offset])
            out.write(len(text).to_bytes(4, 'big') + text)
        """
        let result = try await ExternalTool.run(
            "/usr/bin/env", ["python3", "-c", program, offsets.map(String.init).joined(separator: ",")],
            stdin: output
        )
        #expect(result.status == 0, "\(result.stderr)")
        var cursor = result.stdout[...]
        for index in offsets.indices {
            let length = cursor.prefix(4).reduce(0) { $0 << 8 | Int($1) }
            cursor = cursor.dropFirst(4)
            #expect(Array(cursor.prefix(length)) == Array(Self.lines[...index].joined()), "after flush \(index)")
            cursor = cursor.dropFirst(length)
        }
        #expect(cursor.isEmpty)
    }

    @Test("a second flush with no new input adds nothing")
    func flushIsIdempotent() {
        var encoder = GzipEncoder()
        var output: [UInt8] = []
        encoder.compress(Self.lines[0], into: &output)
        encoder.flush(into: &output)
        let afterFirstFlush = output.count
        encoder.flush(into: &output)
        #expect(output.count == afterFirstFlush)
    }

    @Test("without a flush a small write stays buffered")
    func compressAloneMayHoldBack() {
        var encoder = GzipEncoder()
        var output: [UInt8] = []
        encoder.compress(Self.lines[0], into: &output)
        // Only the 10-byte gzip header is out; the line waits for more data or a flush.
        #expect(output.count <= 10)
    }
}
