// slipway — Compression
// SPDX-License-Identifier: Apache-2.0

import CZlib

/// A streaming deflate compressor that writes gzip (RFC 1952) or zlib (RFC 1950) format.
///
/// A streamed HTTP response body is compressed as it is produced: call
/// `compress(_:into:)` for each piece, ``flush(into:)``
/// whenever what has been written so far must reach the client now (a log line, a
/// server-sent event), and ``finish(into:)`` at the end. Output is appended to the
/// caller's array, so one response buffer can collect framing and compressed bytes alike.
///
/// The type is non-copyable because it owns a zlib stream: a copy would share the C
/// state and end it twice. `deinit` calls `deflateEnd` exactly once. It is not
/// `Sendable` for the same reason; move it between tasks by consuming it.
///
/// After ``finish(into:)`` the encoder is reset and ready for the next stream, so a
/// connection can keep one encoder (and zlib's ~260 KiB of state) for all its responses.
public struct GzipEncoder: ~Copyable {
    /// The compression level used when none is given: zlib's and gzip's default, a good
    /// balance of speed and size for JSON and logs.
    public static let defaultLevel = 6

    /// Size of the reusable output window. Deflate output is smaller than its input, so a
    /// modest window rarely needs more than one round per call; it is allocated once.
    static let outputWindowSize = 32 * 1024

    /// The compression level, 1 (fastest) to 9 (smallest).
    public let level: Int
    /// The framing written around the deflate data.
    public let format: CompressionFormat

    // The z_stream lives on the heap, not inline: zlib keeps a pointer back to it and
    // rejects the stream if it moves, and Swift may move a non-copyable value.
    private let stream: UnsafeMutablePointer<z_stream>
    private let outputWindow: UnsafeMutableBufferPointer<UInt8>

    /// Creates an encoder.
    ///
    /// - Parameters:
    ///   - level: 1 (fastest) to 9 (smallest). A value outside that range is a programming
    ///     error (validate configuration before it gets here) and stops the process.
    ///   - format: `.gzip` (the default) or `.deflate` (zlib format, HTTP's "deflate").
    public init(level: Int = GzipEncoder.defaultLevel, format: CompressionFormat = .gzip) {
        precondition((1...9).contains(level), "gzip level must be 1...9, got \(level)")
        self.level = level
        self.format = format
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // windowBits 15 is the largest window (32 KiB); +16 asks zlib for a gzip wrapper
        // instead of a zlib one. memLevel 8 is zlib's default and what gzip(1) matches.
        let windowBits: Int32 = format == .gzip ? 15 + 16 : 15
        let status = CZlib_deflateInit2(stream, Int32(level), Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY)
        // With valid constant arguments deflateInit2 fails only when memory runs out or
        // the loaded libz does not match zlib.h; neither is recoverable here.
        guard status == Z_OK else {
            fatalError("deflateInit2 failed: \(CompressionError.ZlibCause(returnCode: status, message: nil))")
        }
        outputWindow = .allocate(capacity: Self.outputWindowSize)
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        outputWindow.deallocate()
    }

    /// Uncompressed bytes taken in since the current stream began.
    public var totalInput: Int { Int(stream.pointee.total_in) }
    /// Compressed bytes produced since the current stream began, header included.
    public var totalOutput: Int { Int(stream.pointee.total_out) }

    /// Compresses `input`, appending whatever compressed bytes are ready to `output`.
    ///
    /// deflate holds back data until it has enough to code well, so a small input may
    /// append nothing; call ``flush(into:)`` when the bytes must go out now.
    public mutating func compress(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        deflateAll(input, flush: Z_NO_FLUSH, into: &output)
    }

    /// Appends everything compressed so far to `output`, ending on a byte boundary, so a
    /// client can decompress all input given so far without waiting for more.
    ///
    /// Uses `Z_SYNC_FLUSH`: it costs about 5 bytes and resets nothing, so compression of
    /// later data still refers back to earlier data. Flushing twice in a row adds nothing.
    public mutating func flush(into output: inout [UInt8]) {
        deflateAll(UnsafeRawBufferPointer(start: nil, count: 0), flush: Z_SYNC_FLUSH, into: &output)
    }

    /// Ends the stream: appends the remaining compressed data and the trailer (CRC-32 and
    /// length for gzip, Adler-32 for zlib) to `output`.
    ///
    /// The encoder is then reset: the next `compress(_:into:)`
    /// starts a new, independent stream with a new header.
    public mutating func finish(into output: inout [UInt8]) {
        deflateAll(UnsafeRawBufferPointer(start: nil, count: 0), flush: Z_FINISH, into: &output)
        // deflateReset keeps the allocated state, which is the point of reusing an encoder.
        let status = deflateReset(stream)
        precondition(status == Z_OK, "deflateReset failed on a valid stream")
    }

    /// Runs deflate over `input` with `flush`, draining through the output window.
    private func deflateAll(_ input: UnsafeRawBufferPointer, flush: Int32, into output: inout [UInt8]) {
        var remaining = input
        // avail_in is 32 bits; feed larger inputs in slices.
        repeat {
            let sliceCount = min(remaining.count, Int(UInt32.max))
            let isLastSlice = sliceCount == remaining.count
            stream.pointee.next_in = remaining.baseAddress.map {
                // zlib never writes through next_in; it is declared non-const only
                // because this zlib.h is built without z_const.
                UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: Bytef.self))
            }
            stream.pointee.avail_in = UInt32(sliceCount)
            // Only the last slice carries the caller's flush request.
            drain(flush: isLastSlice ? flush : Z_NO_FLUSH, into: &output)
            remaining = UnsafeRawBufferPointer(rebasing: remaining[sliceCount...])
        } while !remaining.isEmpty
        // Leave no pointer into the caller's memory behind.
        stream.pointee.next_in = nil
    }

    /// Calls deflate until it has consumed all input and, for a flush, emitted everything.
    private func drain(flush: Int32, into output: inout [UInt8]) {
        let window = outputWindow
        while true {
            stream.pointee.next_out = window.baseAddress
            stream.pointee.avail_out = UInt32(window.count)
            let status = deflate(stream, flush)
            // Z_STREAM_ERROR means a corrupted stream state or a bad flush value: a bug here.
            precondition(status != Z_STREAM_ERROR, "deflate reported Z_STREAM_ERROR")
            let produced = window.count - Int(stream.pointee.avail_out)
            if produced > 0 {
                output.append(contentsOf: UnsafeBufferPointer(rebasing: window[..<produced]))
            }
            if flush == Z_FINISH {
                // Z_FINISH is done only at Z_STREAM_END, even if the window was not filled.
                if status == Z_STREAM_END { break }
            } else if stream.pointee.avail_out != 0 {
                // Room left in the window: all input is consumed and the flush is complete.
                // (Z_BUF_ERROR here just means "nothing to do".)
                break
            }
        }
        stream.pointee.next_out = nil
    }
}

@available(*, unavailable, message: "GzipEncoder owns a zlib stream; move it instead of sharing it")
extension GzipEncoder: Sendable {}
