// slipway — Docker tests
// SPDX-License-Identifier: Apache-2.0

import Docker
import Testing

@Suite("Multiplexed stream decoding")
struct DockerStreamDemultiplexerTests {
    static func frame(_ type: UInt8, _ payload: String) -> [UInt8] {
        let bytes = Array(payload.utf8)
        let size = UInt32(bytes.count)
        return [type, 0, 0, 0, UInt8(size >> 24), UInt8(size >> 16 & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size & 0xFF)] + bytes
    }

    static func decode(_ pieces: [[UInt8]]) throws -> [DockerOutputChunk] {
        var decoder = DockerStreamDemultiplexer()
        var output: [DockerOutputChunk] = []
        for piece in pieces { try decoder.decode(piece, into: &output) }
        try decoder.finish()
        return output
    }

    @Test("frames split at every possible byte boundary decode to the same streams")
    func everySplit() throws {
        let stream = Self.frame(1, "hello ") + Self.frame(2, "oops\n") + Self.frame(1, "world\n") + Self.frame(1, "") + Self.frame(2, "é")
        for split in 0...stream.count {
            let chunks = try Self.decode([Array(stream[..<split]), Array(stream[split...])])
            var stdout: [UInt8] = []
            var stderr: [UInt8] = []
            for chunk in chunks {
                switch chunk.stream {
                case .stdout: stdout += chunk.bytes
                case .stderr: stderr += chunk.bytes
                default: Issue.record("unexpected \(chunk.stream)")
                }
            }
            #expect(String(decoding: stdout, as: UTF8.self) == "hello world\n")
            #expect(String(decoding: stderr, as: UTF8.self) == "oops\né")
        }
        // Byte by byte.
        let single = try Self.decode(stream.map { [$0] })
        #expect(single.filter { $0.stream == .stdout }.flatMap(\.bytes) == Array("hello world\n".utf8))
    }

    @Test("consecutive frames of one stream in one read are merged; order across streams kept")
    func merging() throws {
        let chunks = try Self.decode([Self.frame(1, "a") + Self.frame(1, "b") + Self.frame(2, "c") + Self.frame(1, "d")])
        #expect(chunks == [
            DockerOutputChunk(stream: .stdout, bytes: Array("ab".utf8)),
            DockerOutputChunk(stream: .stderr, bytes: Array("c".utf8)),
            DockerOutputChunk(stream: .stdout, bytes: Array("d".utf8)),
        ])
    }

    @Test("end of stream inside a header or a payload is an error")
    func truncated() throws {
        let whole = Self.frame(1, "payload")
        for cut in 1..<whole.count {
            var decoder = DockerStreamDemultiplexer()
            var output: [DockerOutputChunk] = []
            try decoder.decode(Array(whole[..<cut]), into: &output)
            #expect(!decoder.isAtFrameBoundary)
            do {
                try decoder.finish()
                Issue.record("a stream cut after \(cut) bytes must not end cleanly")
            } catch {
                #expect(error.code == .streamFailed)
            }
        }
    }

    @Test("bytes that are not frames (a TTY stream) are rejected, a type-3 frame is the daemon's error")
    func invalid() throws {
        var decoder = DockerStreamDemultiplexer()
        var output: [DockerOutputChunk] = []
        #expect(throws: DockerError.self) { try decoder.decode(Array("plain text output\n".utf8), into: &output) }
        do {
            _ = try Self.decode([Self.frame(1, "ok") + Self.frame(3, "exec failed: no such file")])
            Issue.record("a type-3 frame should throw")
        } catch let error as DockerError {
            #expect(error.code == .operationFailed)
            #expect(error.message.contains("exec failed: no such file"))
        }
    }
}
