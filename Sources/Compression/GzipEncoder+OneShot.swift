// slipway — Compression
// SPDX-License-Identifier: Apache-2.0

extension GzipEncoder {
    /// Compresses `bytes` in one go into a complete gzip stream.
    ///
    /// - Parameters:
    ///   - bytes: The data to compress.
    ///   - level: 1 (fastest) to 9 (smallest); 6 by default.
    /// - Returns: A complete RFC 1952 gzip member.
    public static func gzip(_ bytes: some Collection<UInt8>, level: Int = GzipEncoder.defaultLevel) -> [UInt8] {
        compressed(bytes, level: level, format: .gzip)
    }

    /// Compresses `bytes` in one go into a complete stream of `format`.
    ///
    /// - Parameters:
    ///   - bytes: The data to compress.
    ///   - level: 1 (fastest) to 9 (smallest); 6 by default.
    ///   - format: `.gzip` or `.deflate` (zlib format).
    public static func compressed(
        _ bytes: some Collection<UInt8>,
        level: Int = GzipEncoder.defaultLevel,
        format: CompressionFormat
    ) -> [UInt8] {
        var encoder = GzipEncoder(level: level, format: format)
        var output: [UInt8] = []
        // Text and JSON usually shrink 4-10x; reserving a quarter avoids most regrowth
        // without committing memory for the incompressible worst case.
        output.reserveCapacity(bytes.count / 4 + 64)
        encoder.compress(bytes, into: &output)
        encoder.finish(into: &output)
        return output
    }
}
