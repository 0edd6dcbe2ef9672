// slipway — Compression
// SPDX-License-Identifier: Apache-2.0

extension GzipEncoder {
    /// Size of the stack buffer used to feed collections that have no contiguous storage.
    static let stagingSize = 4096

    /// Compresses the bytes of `input`, appending whatever compressed bytes are ready to
    /// `output`.
    ///
    /// Arrays, slices and other contiguous collections are read in place; anything else
    /// is copied through a small stack buffer, so no call allocates.
    public mutating func compress(_ input: some Collection<UInt8>, into output: inout [UInt8]) {
        let handled: Void? = input.withContiguousStorageIfAvailable { bytes in
            compress(UnsafeRawBufferPointer(bytes), into: &output)
        }
        guard handled == nil else { return }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.stagingSize) { staging in
            var filled = 0
            for byte in input {
                staging[filled] = byte
                filled += 1
                if filled == staging.count {
                    compress(UnsafeRawBufferPointer(staging), into: &output)
                    filled = 0
                }
            }
            if filled > 0 {
                compress(UnsafeRawBufferPointer(start: staging.baseAddress, count: filled), into: &output)
            }
        }
    }
}
