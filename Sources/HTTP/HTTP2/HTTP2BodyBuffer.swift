// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

/// Response body bytes waiting for nghttp2 to pull them into DATA frames: a fixed body as
/// one piece, or the pieces a streaming body's writer has handed over. Pieces are kept as
/// written (no concatenation) and copied out exactly once, into nghttp2's frame buffer.
struct HTTP2BodyBuffer {
    private var pieces: [[UInt8]] = []
    private var first = 0
    private var offset = 0
    /// Bytes buffered and not yet pulled.
    private(set) var count = 0
    /// No more pieces will come: once empty, the body is complete.
    var isComplete = false
    /// The producer failed: the stream is reset once what is buffered has been pulled.
    var hasFailed = false

    init() {}

    /// A fixed body: complete from the start.
    init(complete bytes: [UInt8]) {
        if !bytes.isEmpty { self.pieces = [bytes] }
        self.count = bytes.count
        self.isComplete = true
    }

    mutating func append(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        self.pieces.append(bytes)
        self.count += bytes.count
    }

    /// Copies up to `buffer.count` bytes into `buffer`; returns how many.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        var written = 0
        while written < buffer.count, self.first < self.pieces.count {
            let copied = self.pieces[self.first].withUnsafeBytes { piece in
                let available = piece.count - self.offset
                let take = min(available, buffer.count - written)
                UnsafeMutableRawBufferPointer(rebasing: buffer[written..<(written + take)])
                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: piece[self.offset..<(self.offset + take)]))
                return take
            }
            written += copied
            self.offset += copied
            if self.offset == self.pieces[self.first].count {
                self.first += 1
                self.offset = 0
            }
        }
        self.count -= written
        if self.first == self.pieces.count {
            self.pieces.removeAll(keepingCapacity: true)
            self.first = 0
        } else if self.first >= 16 {
            self.pieces.removeFirst(self.first)
            self.first = 0
        }
        return written
    }
}
