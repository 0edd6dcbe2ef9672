// slipway — Compression tests
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
@testable import Compression

/// A compression bomb must be refused quickly, having produced (and so held) little.
@Suite("gzip bombs")
struct GzipBombTests {
    /// 10 MB of zeros, compressed: about 10 KB that expands ~1000:1.
    static let bombSize = 10_000_000
    static let gzipBomb = GzipEncoder.gzip([UInt8](repeating: 0, count: bombSize), level: 9)
    static let deflateBomb = GzipEncoder.compressed([UInt8](repeating: 0, count: bombSize), level: 9, format: .deflate)
    static let bodyLimit = 1 << 20
    static let window = BodyInflater.defaultWindowSize

    /// Feeds `body` in `chunking`'s pieces, recording the largest single emit and the
    /// total emitted before the error.
    static func detonate(
        _ body: [UInt8],
        format: CompressionFormat,
        chunking: Chunking,
        ratioLimit: Int? = BodyInflater.defaultRatioLimit
    ) -> (error: CompressionError?, emitted: Int, largestEmit: Int, consumed: Int, seconds: Double) {
        var inflater = BodyInflater(format: format, outputLimit: bodyLimit, ratioLimit: ratioLimit)
        var emitted = 0
        var largestEmit = 0
        let start = Date()
        var failure: CompressionError?
        for chunk in chunking.chunks(of: body) where failure == nil {
            chunk.withUnsafeBytes { bytes in
                do throws(CompressionError) {
                    try inflater.inflate(bytes) { piece in
                        emitted += piece.count
                        largestEmit = max(largestEmit, piece.count)
                    }
                } catch {
                    failure = error
                }
            }
        }
        if failure == nil {
            do throws(CompressionError) { try inflater.finish() } catch { failure = error }
        }
        return (failure, emitted, largestEmit, inflater.totalInput, Date().timeIntervalSince(start))
    }

    @Test("the bomb really is one")
    func bombShape() {
        #expect(Self.gzipBomb.count < 20_000)
        #expect(Self.bombSize / Self.gzipBomb.count > 500)
    }

    @Test("a 10 MB bomb trips the ratio limit after little output", arguments: CompressionFormat.allCases, Chunking.allCases)
    func ratioStopsBomb(format: CompressionFormat, chunking: Chunking) {
        let body = format == .gzip ? Self.gzipBomb : Self.deflateBomb
        let outcome = Self.detonate(body, format: format, chunking: chunking)
        #expect(outcome.error?.code == .ratioLimitExceeded)
        // Output held before the error: the 64 KiB threshold, then the ratio allows at
        // most 100 bytes per compressed byte consumed, plus one window.
        #expect(outcome.emitted <= max(BodyInflater.ratioCheckThreshold, 100 * outcome.consumed) + Self.window)
        #expect(outcome.emitted <= Self.bodyLimit + Self.window)
        #expect(outcome.largestEmit <= Self.window)
        #expect(outcome.seconds < 5, "took \(outcome.seconds) s")
    }

    @Test("without a ratio limit the body limit stops it, and nothing past the limit is emitted",
          arguments: CompressionFormat.allCases, [Chunking.whole, .random])
    func outputLimitStopsBomb(format: CompressionFormat, chunking: Chunking) {
        let body = format == .gzip ? Self.gzipBomb : Self.deflateBomb
        let outcome = Self.detonate(body, format: format, chunking: chunking, ratioLimit: nil)
        #expect(outcome.error?.code == .outputLimitExceeded)
        #expect(outcome.emitted <= Self.bodyLimit)
        #expect(outcome.emitted > Self.bodyLimit - Self.window)
        #expect(outcome.largestEmit <= Self.window)
        #expect(outcome.seconds < 5, "took \(outcome.seconds) s")
    }

    @Test("the one-shot API refuses the bomb too, returning nothing")
    func oneShot() {
        do {
            let output = try BodyInflater.inflate(Self.gzipBomb, format: .gzip, outputLimit: Self.bodyLimit)
            Issue.record("inflated \(output.count) bytes")
        } catch {
            #expect(error.code == .ratioLimitExceeded)
            #expect(error.message.contains("bomb"))
        }
    }

    @Test("a bomb hidden as the second gzip member is stopped as well")
    func bombInSecondMember() {
        let body = GzipEncoder.gzip(Array("harmless".utf8)) + Self.gzipBomb
        let outcome = Self.detonate(body, format: .gzip, chunking: .random)
        #expect(outcome.error?.code == .ratioLimitExceeded)
        #expect(outcome.emitted <= Self.bodyLimit + Self.window)
    }
}
