// slipway — Compression tests
// SPDX-License-Identifier: Apache-2.0

import Testing
@testable import Compression

/// A small, seedable generator (SplitMix64) so every run sees the same "random" data.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// How a test splits a byte sequence before feeding it.
enum Chunking: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case whole
    case oneByte
    case random

    var testDescription: String { rawValue }

    /// `bytes` split according to this chunking (random sizes 1...5000, seeded).
    func chunks(of bytes: [UInt8], seed: UInt64 = 42) -> [ArraySlice<UInt8>] {
        switch self {
        case .whole:
            return [bytes[...]]
        case .oneByte:
            return bytes.indices.map { bytes[$0...$0] }
        case .random:
            var generator = SeededGenerator(seed: seed)
            var result: [ArraySlice<UInt8>] = []
            var start = 0
            while start < bytes.count {
                let end = min(bytes.count, start + Int.random(in: 1...5000, using: &generator))
                result.append(bytes[start..<end])
                start = end
            }
            return result
        }
    }
}

/// Test inputs.
enum TestData {
    /// Log-like JSON lines: repetitive enough to compress like real API output, varied
    /// enough that deflate has real work to do.
    static func jsonLines(byteCount: Int, seed: UInt64 = 7) -> [UInt8] {
        var generator = SeededGenerator(seed: seed)
        let states = ["pending", "running", "success", "failed", "canceled"]
        let words = ["docker", "build", "push", "layer", "cache", "step", "image", "sha256", "pull", "compose"]
        var text = ""
        var index = 0
        while text.utf8.count < byteCount {
            let message = (0..<Int.random(in: 3...12, using: &generator))
                .map { _ in words[Int.random(in: 0..<words.count, using: &generator)] }
                .joined(separator: " ")
            text += #"{"id":\#(index),"state":"\#(states[index % states.count])","duration_ms":\#(Int.random(in: 0...900_000, using: &generator)),"message":"\#(message)"}"# + "\n"
            index += 1
        }
        return Array(text.utf8.prefix(byteCount))
    }

    /// Incompressible bytes.
    static func random(byteCount: Int, seed: UInt64 = 99) -> [UInt8] {
        var generator = SeededGenerator(seed: seed)
        return (0..<byteCount).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}

/// Inflates `compressed` fed in `chunks`, returning the output or the error.
func inflateChunks(
    _ chunks: [ArraySlice<UInt8>],
    format: CompressionFormat,
    outputLimit: Int = 64 << 20,
    ratioLimit: Int? = BodyInflater.defaultRatioLimit
) -> Result<[UInt8], CompressionError> {
    var inflater = BodyInflater(format: format, outputLimit: outputLimit, ratioLimit: ratioLimit)
    var output: [UInt8] = []
    do throws(CompressionError) {
        for chunk in chunks { try inflater.inflate(chunk, into: &output) }
        try inflater.finish()
        return .success(output)
    } catch {
        return .failure(error)
    }
}

/// The error code `body` fails with, or `nil` when it inflates.
func failureCode(
    _ body: [UInt8],
    format: CompressionFormat,
    outputLimit: Int = 64 << 20,
    ratioLimit: Int? = BodyInflater.defaultRatioLimit
) -> CompressionError.Code? {
    switch inflateChunks([body[...]], format: format, outputLimit: outputLimit, ratioLimit: ratioLimit) {
    case .success: nil
    case .failure(let error): error.code
    }
}

extension Result {
    /// The success value, or `nil`.
    var value: Success? {
        if case .success(let value) = self { value } else { nil }
    }
}
