// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

import Compression
import Synchronization

/// Compresses a streaming body on its way to the connection: each write is compressed and
/// sync-flushed, so the client can decompress everything written so far at once.
final class GzipStreamSink: ResponseBodySink {
    private let downstream: any ResponseBodySink
    // The producer writes one piece at a time, so the lock is never contended; it only makes
    // the encoder's hand-over between the producer's threads safe.
    private let encoder: Mutex<GzipEncoder>

    init(downstream: any ResponseBodySink, level: Int) {
        self.downstream = downstream
        self.encoder = Mutex(GzipEncoder(level: level, format: .gzip))
    }

    func enqueue(_ bytes: [UInt8], completion: @escaping @Sendable (Error?) -> Void) {
        let compressed = self.encoder.withLock { encoder in
            var output: [UInt8] = []
            output.reserveCapacity(bytes.count / 2 + 64)
            encoder.compress(bytes, into: &output)
            encoder.flush(into: &output)
            return output
        }
        self.downstream.enqueue(compressed, completion: completion)
    }

    /// Not used: the wrapping producer ends the outer body itself, after the gzip trailer.
    func finish(error: Error?) {}

    /// The rest of the gzip stream: the final block and the CRC-32/length trailer.
    func finishStream() -> [UInt8] {
        self.encoder.withLock { encoder in
            var output: [UInt8] = []
            encoder.finish(into: &output)
            return output
        }
    }
}
