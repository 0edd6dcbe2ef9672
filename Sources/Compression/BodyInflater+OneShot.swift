// slipway — Compression
// SPDX-License-Identifier: Apache-2.0

extension BodyInflater {
    /// Decompresses a whole body at once.
    ///
    /// - Parameters:
    ///   - body: The compressed body.
    ///   - format: Its content coding.
    ///   - outputLimit: The most decompressed bytes accepted.
    ///   - ratioLimit: The largest accepted expansion; see ``init(format:outputLimit:ratioLimit:inputLimit:windowSize:)``.
    ///     The compressed body is limited to `outputLimit` bytes as well.
    /// - Returns: The decompressed body.
    /// - Throws: ``CompressionError``.
    public static func inflate(
        _ body: some Collection<UInt8>,
        format: CompressionFormat,
        outputLimit: Int,
        ratioLimit: Int? = BodyInflater.defaultRatioLimit
    ) throws(CompressionError) -> [UInt8] {
        var inflater = BodyInflater(format: format, outputLimit: outputLimit, ratioLimit: ratioLimit)
        var output: [UInt8] = []
        try inflater.inflate(body, into: &output)
        try inflater.finish()
        return output
    }
}
