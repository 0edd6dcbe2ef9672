// slipway — Compression tests
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
@testable import Compression

/// Checks against independent implementations: the gzip 1.12 binary (its own deflate
/// code, not zlib's) and Python's zlib module.
@Suite("interoperability with gzip(1) and python")
struct RealToolInteropTests {
    static let text = TestData.jsonLines(byteCount: 300_000, seed: 11)

    @Test("gzip -dc decompresses our gzip output", arguments: [1, 6, 9], Chunking.allCases)
    func gzipBinaryReadsOurOutput(level: Int, chunking: Chunking) async throws {
        let input = chunking == .oneByte ? Array(Self.text.prefix(40_000)) : Self.text
        let compressed = GzipEncoderTests.compress(input, level: level, format: .gzip, chunking: chunking)
        let result = try await ExternalTool.run(ExternalTool.gzip, ["-dc"], stdin: compressed)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == input)
    }

    @Test("gzip -dc reads a stream with sync flushes between writes")
    func gzipBinaryReadsFlushedStream() async throws {
        let (output, _) = SyncFlushTests.flushedStream(format: .gzip)
        let result = try await ExternalTool.run(ExternalTool.gzip, ["-dc"], stdin: output)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == Array(SyncFlushTests.lines.joined()))
    }

    @Test("we inflate what the gzip binary writes", arguments: ["-1", "-6", "-9"], Chunking.allCases)
    func weReadGzipBinaryOutput(levelFlag: String, chunking: Chunking) async throws {
        let input = chunking == .oneByte ? Array(Self.text.prefix(40_000)) : Self.text
        let result = try await ExternalTool.run(ExternalTool.gzip, [levelFlag, "-c"], stdin: input)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(inflateChunks(chunking.chunks(of: result.stdout), format: .gzip).value == input)
    }

    @Test("we read a gzip header carrying the file name and mtime")
    func gzipWithFileName() async throws {
        let directory = try ExternalTool.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("jobs.ndjson")
        try Data(Self.text).write(to: file)
        let result = try await ExternalTool.run(ExternalTool.gzip, ["-6", "-c", file.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout[3] & 0x08 != 0, "FNAME flag set")
        #expect(inflateChunks(Chunking.random.chunks(of: result.stdout), format: .gzip).value == Self.text)
    }

    @Test("multi-member gzip decodes like gzip -dc does")
    func multiMember() async throws {
        let first = try await ExternalTool.run(ExternalTool.gzip, ["-6", "-c"], stdin: Array(Self.text.prefix(1000)))
        let second = GzipEncoder.gzip(Array(Self.text.suffix(2000)), level: 9)
        let body = first.stdout + second + GzipEncoder.gzip([UInt8]())
        let reference = try await ExternalTool.run(ExternalTool.gzip, ["-dc"], stdin: body)
        #expect(reference.status == 0)
        for chunking in Chunking.allCases {
            #expect(inflateChunks(chunking.chunks(of: body), format: .gzip).value == reference.stdout, "\(chunking)")
        }
    }

    @Test("python zlib.decompress reads our deflate (zlib format) output", arguments: [1, 6, 9])
    func pythonReadsOurZlib(level: Int) async throws {
        let compressed = GzipEncoder.compressed(Self.text, level: level, format: .deflate)
        let result = try await ExternalTool.python(
            "import sys, zlib; sys.stdout.buffer.write(zlib.decompress(sys.stdin.buffer.read()))",
            stdin: compressed
        )
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == Self.text)
    }

    @Test("python gzip.decompress reads our gzip output")
    func pythonReadsOurGzip() async throws {
        let result = try await ExternalTool.python(
            "import sys, gzip; sys.stdout.buffer.write(gzip.decompress(sys.stdin.buffer.read()))",
            stdin: GzipEncoder.gzip(Self.text)
        )
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == Self.text)
    }

    @Test("we inflate python's zlib format and bare deflate under Content-Encoding: deflate",
          arguments: [("zlib", 15), ("raw deflate", -15)], Chunking.allCases)
    func weReadPythonDeflate(variant: (name: String, windowBits: Int), chunking: Chunking) async throws {
        let input = chunking == .oneByte ? Array(Self.text.prefix(40_000)) : Self.text
        let result = try await ExternalTool.python(
            "import sys, zlib; c = zlib.compressobj(6, zlib.DEFLATED, \(variant.windowBits)); "
                + "sys.stdout.buffer.write(c.compress(sys.stdin.buffer.read()) + c.flush())",
            stdin: input
        )
        #expect(result.status == 0, "\(result.stderr)")
        #expect(inflateChunks(chunking.chunks(of: result.stdout), format: .deflate).value == input, "\(variant.name)")
    }

    /// A gzip member with every optional header field (RFC 1952 §2.3.1), built by Python.
    static let fullHeaderProgram = """
    import sys, zlib, struct
    data = sys.stdin.buffer.read()
    header = b'\\x1f\\x8b\\x08' + bytes([0x02 | 0x04 | 0x08 | 0x10]) + struct.pack('<I', 0) + b'\\x00\\xff'
    header += struct.pack('<H', 6) + b'sl\\x02\\x00hi' + b'jobs.json\\x00' + b'a comment\\x00'
    header += struct.pack('<H', zlib.crc32(header) & 0xffff)
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    body = c.compress(data) + c.flush()
    sys.stdout.buffer.write(header + body + struct.pack('<II', zlib.crc32(data), len(data) & 0xffffffff))
    """

    @Test("a header with FEXTRA, FNAME, FCOMMENT and FHCRC is read, and a bad header CRC refused")
    func fullHeader() async throws {
        let result = try await ExternalTool.python(Self.fullHeaderProgram, stdin: Self.text)
        #expect(result.status == 0, "\(result.stderr)")
        let body = result.stdout
        #expect(inflateChunks(Chunking.oneByte.chunks(of: Array(body.prefix(60))) + [body[60...]], format: .gzip).value == Self.text)
        // The header CRC-16 sits right before the deflate data: 10 + 8 + 10 + 10 = byte 38.
        var corrupted = body
        corrupted[38] ^= 0xff
        let code = failureCode(corrupted, format: .gzip)
        #expect(code == .invalidHeader)
    }
}
