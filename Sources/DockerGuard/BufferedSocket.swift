// slipway — DockerGuard
// SPDX-License-Identifier: Apache-2.0

import Sockets

/// A socket and the bytes read from it that are not used yet: parsers look at what is
/// buffered, and the relay takes what they consumed.
struct BufferedSocket {
    let socket: AsyncSocket
    private var buffer: [UInt8] = []
    private var start = 0
    /// The peer closed its side.
    private(set) var isAtEnd = false

    static let readSize = 64 * 1024

    init(_ socket: AsyncSocket) {
        self.socket = socket
    }

    var available: Int { self.buffer.count - self.start }

    func withAvailable<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try self.buffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[self.start...])) }
    }

    /// Removes and returns the first `count` buffered bytes.
    mutating func take(_ count: Int) -> ArraySlice<UInt8> {
        precondition(count <= self.available)
        let taken = self.buffer[self.start..<(self.start + count)]
        self.start += count
        if self.start == self.buffer.count {
            self.buffer.removeAll(keepingCapacity: true)
            self.start = 0
        }
        return taken
    }

    mutating func takeAll() -> ArraySlice<UInt8> { self.take(self.available) }

    /// Reads what the peer sent next; false at its end of stream.
    @discardableResult
    mutating func fill(deadline: Instant? = nil) async throws -> Bool {
        let bytes = try await self.socket.read(maximum: Self.readSize, deadline: deadline)
        guard !bytes.isEmpty else {
            self.isAtEnd = true
            return false
        }
        if self.start == self.buffer.count {
            self.buffer = bytes
            self.start = 0
        } else {
            if self.start > 0 && self.start >= self.buffer.count / 2 {
                self.buffer.removeFirst(self.start)
                self.start = 0
            }
            self.buffer.append(contentsOf: bytes)
        }
        return true
    }

    func write(_ bytes: [UInt8]) async throws {
        try await self.socket.write(bytes)
    }
}
