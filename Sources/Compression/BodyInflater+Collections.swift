// slipway — Compression
// SPDX-License-Identifier: Apache-2.0

extension BodyInflater {
    /// Decompresses `chunk`, appending the output to `output`.
    ///
    /// `output` never grows by more than ``outputLimit`` over the whole body.
    ///
    /// - Throws: ``CompressionError`` when a limit is exceeded or the data is invalid.
    public mutating func inflate(_ chunk: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(CompressionError) {
        try inflate(chunk) { output.append(contentsOf: $0) }
    }

    /// Decompresses the bytes of `chunk`, appending the output to `output`.
    ///
    /// Contiguous collections are read in place; others are copied through a small stack
    /// buffer.
    ///
    /// - Throws: ``CompressionError`` when a limit is exceeded or the data is invalid.
    public mutating func inflate(_ chunk: some Collection<UInt8>, into output: inout [UInt8]) throws(CompressionError) {
        var failure: CompressionError?
        let handled: Void? = chunk.withContiguousStorageIfAvailable { bytes in
            do throws(CompressionError) {
                try inflate(UnsafeRawBufferPointer(bytes), into: &output)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        guard handled == nil else { return }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 4096) { staging in
            var filled = 0
            for byte in chunk {
                staging[filled] = byte
                filled += 1
                if filled == staging.count {
                    do throws(CompressionError) { try inflate(UnsafeRawBufferPointer(staging), into: &output) } catch {
                        failure = error
                        return
                    }
                    filled = 0
                }
            }
            if filled > 0 {
                do throws(CompressionError) { try inflate(UnsafeRawBufferPointer(start: staging.baseAddress, count: filled), into: &output) } catch {
                    failure = error
                }
            }
        }
        if let failure { throw failure }
    }
}
