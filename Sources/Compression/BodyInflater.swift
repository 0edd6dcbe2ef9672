// slipway — Compression
// SPDX-License-Identifier: Apache-2.0

import CZlib

/// Decompresses a request body sent with `Content-Encoding: gzip` or `deflate`, chunk by
/// chunk, without letting the client choose how much memory or time it costs.
///
/// Defences, each against a different trick:
/// - an **output limit** (the body limit): a body that decompresses to more fails with
///   ``CompressionError/Code/outputLimitExceeded`` and no byte past the limit is emitted;
/// - a **ratio limit** (100:1 by default), checked once output passes 64 KiB: gzip bombs
///   expand ~1000:1 and are stopped after a few hundred KiB of work, long before the
///   output limit;
/// - an **input limit** (the body limit again, by default): a stream of empty deflate
///   blocks or an endless header field produces no output, so the other two limits
///   never trip; the compressed size is capped too;
/// - data is inflated through one **fixed output window**, never into a buffer sized from
///   the gzip ISIZE field or anything else the client wrote.
///
/// The whole stream must be present: ``finish()`` fails with
/// ``CompressionError/Code/truncated`` unless zlib reached `Z_STREAM_END`, and bytes after
/// the end are ``CompressionError/Code/trailingGarbage``. CRC-32, ISIZE and Adler-32 are
/// checked by zlib.
///
/// **Multi-member gzip is supported** (RFC 1952 §2.2: a gzip file is a series of members;
/// `gzip -dc` concatenates them): after a member ends, further input must begin with the
/// gzip magic bytes `1f 8b` and is decompressed as the next member; anything else is
/// trailing garbage. The limits apply to the body as a whole.
///
/// For `deflate` the zlib format of RFC 9110 §8.4.1.2 is expected, but a body without a
/// valid zlib header is taken as bare RFC 1951 deflate data, as browsers do. The two
/// cannot be confused: bare deflate data written by zlib never starts with a byte whose
/// low nibble is 8 (CM=8), and a zlib header also passes a mod-31 check.
///
/// Non-copyable and not `Sendable` because it owns a zlib stream; `deinit` calls
/// `inflateEnd` exactly once. After an error every later call throws the same error.
public struct BodyInflater: ~Copyable {
    /// The default ratio limit: decompressed bytes per compressed byte.
    public static let defaultRatioLimit = 100
    /// The ratio is checked only once output passes this size, so small, very repetitive
    /// bodies (`{"a":[0,0,0,…]}`) are not mistaken for bombs.
    public static let ratioCheckThreshold = 64 * 1024
    /// The default size of the output window.
    public static let defaultWindowSize = 32 * 1024

    /// The declared coding of the body.
    public let format: CompressionFormat
    /// The most decompressed bytes accepted.
    public let outputLimit: Int
    /// The most compressed bytes accepted.
    public let inputLimit: Int
    /// The largest accepted ratio of decompressed to compressed size, or `nil` for none.
    public let ratioLimit: Int?

    /// Compressed bytes fed so far, including any not yet consumed by zlib.
    public internal(set) var totalInput = 0
    /// Decompressed bytes emitted so far; never more than ``outputLimit``.
    public internal(set) var totalOutput = 0
    /// gzip members (or zlib streams) completed so far.
    public internal(set) var completedMembers = 0

    /// Where the stream is.
    enum State {
        /// `deflate` only: waiting for two bytes to tell a zlib header from bare deflate.
        case awaitingZlibHeader(firstByte: UInt8?)
        /// zlib is decompressing a member.
        case inflating
        /// `gzip` only: a member ended; more input must start another member. `sawMagicByte`
        /// is true when the first magic byte (0x1f) arrived at the end of the last chunk.
        case betweenMembers(sawMagicByte: Bool)
        /// The stream is complete (`deflate`) or ``finish()`` succeeded.
        case finished
        /// An error was thrown; it is thrown again on every call.
        case failed(CompressionError)
    }

    var state: State
    /// Compressed bytes zlib has actually consumed: the denominator of the ratio.
    var consumedInput = 0
    let stream: UnsafeMutablePointer<z_stream>
    let window: UnsafeMutableBufferPointer<UInt8>

    /// Creates an inflater for one request body.
    ///
    /// - Parameters:
    ///   - format: The body's content coding.
    ///   - outputLimit: The body limit: the most decompressed bytes accepted.
    ///   - ratioLimit: The largest accepted expansion (decompressed ÷ compressed) once
    ///     output passes ``ratioCheckThreshold``; 100 by default, `nil` for no limit.
    ///   - inputLimit: The most compressed bytes accepted; by default the output limit,
    ///     as the HTTP robustness rules check the compressed size against the body limit
    ///     too. (Incompressible data grows by a few bytes per 64 KiB when compressed, so
    ///     such a body within a hair of the limit is refused either way.)
    ///   - windowSize: The size of the fixed output window; at most this many bytes are
    ///     handed to the caller at a time.
    public init(
        format: CompressionFormat,
        outputLimit: Int,
        ratioLimit: Int? = BodyInflater.defaultRatioLimit,
        inputLimit: Int? = nil,
        windowSize: Int = BodyInflater.defaultWindowSize
    ) {
        precondition(outputLimit >= 0, "outputLimit must not be negative")
        precondition(ratioLimit.map { $0 > 0 } ?? true, "ratioLimit must be positive")
        precondition(windowSize > 0 && windowSize <= Int(UInt32.max), "windowSize out of range")
        self.format = format
        self.outputLimit = outputLimit
        self.ratioLimit = ratioLimit
        self.inputLimit = inputLimit ?? outputLimit
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // gzip: 15 + 16 accepts only a gzip wrapper (not zlib's: the declared coding is
        // checked). deflate: start as zlib; switched to bare deflate (-15) if the first two
        // bytes are not a zlib header.
        let windowBits: Int32 = format == .gzip ? 15 + 16 : 15
        let status = CZlib_inflateInit2(stream, windowBits)
        // Fails only when memory runs out or libz does not match zlib.h.
        guard status == Z_OK else {
            fatalError("inflateInit2 failed: \(CompressionError.ZlibCause(returnCode: status, message: nil))")
        }
        window = .allocate(capacity: windowSize)
        state = format == .gzip ? .inflating : .awaitingZlibHeader(firstByte: nil)
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        window.deallocate()
    }

    /// Decompresses `chunk`, handing each filled piece of the output window to `emit`.
    ///
    /// `emit` receives a view of the window that is valid only during the call; it is
    /// never called with bytes past ``outputLimit``.
    ///
    /// - Throws: ``CompressionError`` when a limit is exceeded or the data is invalid.
    public mutating func inflate(
        _ chunk: UnsafeRawBufferPointer,
        emit: (UnsafeRawBufferPointer) -> Void
    ) throws(CompressionError) {
        if case .failed(let error) = state { throw error }
        do {
            try process(chunk, emit: emit)
        } catch {
            state = .failed(error)
            stream.pointee.next_in = nil
            throw error
        }
    }

    /// Ends the body: checks that the compressed stream is complete.
    ///
    /// - Throws: ``CompressionError/Code/emptyInput`` for an empty body,
    ///   ``CompressionError/Code/truncated`` when the stream did not end, or the error
    ///   an earlier call threw.
    public mutating func finish() throws(CompressionError) {
        switch state {
        case .failed(let error):
            throw error
        case .finished, .betweenMembers(sawMagicByte: false):
            state = .finished
        case .awaitingZlibHeader, .inflating, .betweenMembers(sawMagicByte: true):
            let error = totalInput == 0 ? emptyInputError() : truncatedError()
            state = .failed(error)
            throw error
        }
    }
}

@available(*, unavailable, message: "BodyInflater owns a zlib stream; move it instead of sharing it")
extension BodyInflater: Sendable {}
