// slipway — Compression
// SPDX-License-Identifier: Apache-2.0

import CZlib

extension BodyInflater {
    /// The gzip magic bytes (RFC 1952 §2.3.1) that must start every member.
    static let gzipMagic: (UInt8, UInt8) = (0x1f, 0x8b)

    /// Feeds `chunk` through the state machine; `inflate(_:emit:)` records any error.
    mutating func process(
        _ chunk: UnsafeRawBufferPointer,
        emit: (UnsafeRawBufferPointer) -> Void
    ) throws(CompressionError) {
        guard !chunk.isEmpty else { return }
        let (fed, overflow) = totalInput.addingReportingOverflow(chunk.count)
        guard !overflow, fed <= inputLimit else { throw inputLimitError() }
        totalInput = fed

        var input = chunk
        while !input.isEmpty {
            switch state {
            case .failed(let error):
                throw error
            case .finished:
                throw trailingGarbageError(extraBytes: input.count)
            case .awaitingZlibHeader(firstByte: nil):
                guard input.count >= 2 else {
                    state = .awaitingZlibHeader(firstByte: input[0])
                    return
                }
                try selectDeflateFraming(first: input[0], second: input[1])
            case .awaitingZlibHeader(firstByte: let first?):
                try selectDeflateFraming(first: first, second: input[0])
                // The first byte came in an earlier chunk; zlib has not seen it yet.
                try inflateHeldByte(first, emit: emit)
            case .inflating:
                input = try inflateMember(input, emit: emit)
            case .betweenMembers(sawMagicByte: false):
                guard input[0] == Self.gzipMagic.0 else { throw trailingGarbageError(extraBytes: input.count) }
                guard input.count >= 2 else {
                    state = .betweenMembers(sawMagicByte: true)
                    return
                }
                guard input[1] == Self.gzipMagic.1 else { throw trailingGarbageError(extraBytes: input.count) }
                try startNextMember()
            case .betweenMembers(sawMagicByte: true):
                guard input[0] == Self.gzipMagic.1 else { throw trailingGarbageError(extraBytes: input.count + 1) }
                try startNextMember()
                try inflateHeldByte(Self.gzipMagic.0, emit: emit)
            }
        }
    }

    /// Chooses zlib or bare deflate framing from the first two bytes of a `deflate` body.
    ///
    /// A zlib header (RFC 1950 §2.2) has compression method 8 in the low nibble of the
    /// first byte, a window size of at most 2^15 in the high nibble, and makes the 16-bit
    /// big-endian header a multiple of 31.
    mutating func selectDeflateFraming(first: UInt8, second: UInt8) throws(CompressionError) {
        let isZlibHeader = first & 0x0f == 8 && first >> 4 <= 7
            && (UInt16(first) << 8 | UInt16(second)) % 31 == 0
        if !isZlibHeader {
            let status = inflateReset2(stream, -15)
            guard status == Z_OK else { throw internalError(status: status) }
        }
        state = .inflating
    }

    /// Resets zlib for the next gzip member, keeping its allocated window.
    mutating func startNextMember() throws(CompressionError) {
        let status = inflateReset(stream)
        guard status == Z_OK else { throw internalError(status: status) }
        state = .inflating
    }

    /// Feeds one byte that was held back while deciding what a chunk boundary split.
    mutating func inflateHeldByte(_ byte: UInt8, emit: (UnsafeRawBufferPointer) -> Void) throws(CompressionError) {
        var failure: CompressionError?
        withUnsafeBytes(of: byte) { heldByte in
            do throws(CompressionError) {
                // One header byte cannot end a stream, so nothing is left over.
                _ = try inflateMember(heldByte, emit: emit)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
    }

    /// Runs zlib over `input` until it is consumed or the member ends.
    ///
    /// - Returns: The input zlib did not consume: empty, or the bytes after the end of
    ///   the member when ``state`` has moved on from `.inflating`.
    mutating func inflateMember(
        _ input: UnsafeRawBufferPointer,
        emit: (UnsafeRawBufferPointer) -> Void
    ) throws(CompressionError) -> UnsafeRawBufferPointer {
        guard let base = input.baseAddress else { return input }
        // avail_in is 32 bits; a larger chunk comes back as unconsumed input.
        let feedCount = min(input.count, Int(UInt32.max))
        // zlib never writes through next_in; this zlib.h is built without z_const.
        stream.pointee.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = UInt32(feedCount)
        defer {
            // Leave no pointer into the caller's memory behind.
            stream.pointee.next_in = nil
            stream.pointee.avail_in = 0
            stream.pointee.next_out = nil
            stream.pointee.avail_out = 0
        }

        while true {
            stream.pointee.next_out = window.baseAddress
            stream.pointee.avail_out = UInt32(window.count)
            let availableBefore = stream.pointee.avail_in
            let status = CZlib.inflate(stream, Z_NO_FLUSH)
            let consumed = Int(availableBefore - stream.pointee.avail_in)
            consumedInput += consumed
            let produced = window.count - Int(stream.pointee.avail_out)
            if produced > 0 {
                // Limits first: bytes past a limit are never handed out.
                try admitOutput(produced)
                emit(UnsafeRawBufferPointer(start: window.baseAddress, count: produced))
            }

            switch status {
            case Z_STREAM_END:
                completedMembers += 1
                state = format == .gzip ? .betweenMembers(sawMagicByte: false) : .finished
                let consumedHere = feedCount - Int(stream.pointee.avail_in)
                return UnsafeRawBufferPointer(rebasing: input[consumedHere...])
            case Z_OK, Z_BUF_ERROR:
                // Z_BUF_ERROR is zlib's "no progress possible": it needs more input.
                if stream.pointee.avail_out == 0 {
                    continue  // The window filled: zlib may have more output pending.
                }
                if stream.pointee.avail_in == 0 {
                    return UnsafeRawBufferPointer(rebasing: input[feedCount...])
                }
                // Input and room left, yet zlib stopped: only progress justifies another round.
                if consumed == 0 && produced == 0 { throw internalError(status: status) }
            case Z_NEED_DICT:
                throw presetDictionaryError()
            case Z_DATA_ERROR:
                throw dataError()
            default:
                throw internalError(status: status)
            }
        }
    }

    /// Counts `produced` new output bytes against the output and ratio limits.
    mutating func admitOutput(_ produced: Int) throws(CompressionError) {
        let newTotal = totalOutput + produced
        guard newTotal <= outputLimit else { throw outputLimitError() }
        if let ratioLimit, newTotal > Self.ratioCheckThreshold {
            let (allowed, overflow) = ratioLimit.multipliedReportingOverflow(by: max(consumedInput, 1))
            if !overflow && newTotal > allowed {
                throw ratioLimitError(output: newTotal, input: consumedInput)
            }
        }
        totalOutput = newTotal
    }
}
