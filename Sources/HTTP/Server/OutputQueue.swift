// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import Sockets

/// Bytes waiting to be written to a socket, in order, flushed with as few `send`/`sendmsg`
/// calls as possible. Small pieces are coalesced so a head and a short body leave in one segment.
/// The socket calls (not `write`/`writev`) skip the kernel's VFS layer and never raise SIGPIPE.
struct OutputQueue {
    private var segments: [[UInt8]] = []
    /// How much of `segments[0]` has already been written.
    private var firstOffset = 0
    private(set) var pendingBytes = 0

    /// Pieces at most this long are copied onto the end of the last segment.
    private static let coalesceLimit = 16 * 1024
    /// Most segments handed to one `sendmsg`.
    private static let maxIOVecs = 16

    var isEmpty: Bool { self.pendingBytes == 0 }

    mutating func append(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        self.pendingBytes += bytes.count
        if bytes.count <= Self.coalesceLimit, !self.segments.isEmpty, self.segments.count > 1 || self.firstOffset == 0,
           self.segments[self.segments.count - 1].count + bytes.count <= 4 * Self.coalesceLimit
        {
            self.segments[self.segments.count - 1].append(contentsOf: bytes)
        } else {
            self.segments.append(bytes)
        }
    }

    /// Appends a copy of `bytes` (used for frames nghttp2 lends us only until its next call).
    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        if !self.segments.isEmpty, self.segments.count > 1 || self.firstOffset == 0,
           self.segments[self.segments.count - 1].count + bytes.count <= 4 * Self.coalesceLimit
        {
            self.segments[self.segments.count - 1].append(contentsOf: bytes)
        } else {
            self.segments.append(Array(bytes))
        }
        self.pendingBytes += bytes.count
    }

    /// Appends to the last segment in place (used to serialise heads without a temporary).
    mutating func withLastSegment(minimumCapacity: Int, _ body: (inout [UInt8]) -> Void) {
        if self.segments.isEmpty || (self.segments.count == 1 && self.pendingBytes == 0) {
            // Reuse the drained buffer.
            if self.segments.isEmpty { self.segments.append([]) }
            self.firstOffset = 0
            self.segments[0].reserveCapacity(minimumCapacity)
        } else if (self.segments.count == 1 && self.firstOffset > 0) || self.segments[self.segments.count - 1].count > 2 * Self.coalesceLimit {
            var fresh: [UInt8] = []
            fresh.reserveCapacity(minimumCapacity)
            self.segments.append(fresh)
        }
        let index = self.segments.count - 1
        let before = self.segments[index].count
        body(&self.segments[index])
        self.pendingBytes += self.segments[index].count - before
    }

    enum FlushResult {
        /// Everything was written.
        case drained
        /// The socket would block; wait for writability.
        case wouldBlock
    }

    /// Writes as much as the socket takes.
    mutating func flush(to descriptor: CInt) throws(SystemError) -> FlushResult {
        while self.pendingBytes > 0 {
            let written: IOResult<Int>
            if self.segments.count == 1 {
                let offset = self.firstOffset
                written = try self.segments[0].withUnsafeBytes { raw in
                    Result { () throws(SystemError) in try Posix.sendNoSignal(descriptor, from: UnsafeRawBufferPointer(rebasing: raw[offset...])) }
                }.get()
            } else {
                written = try self.writeVectored(descriptor)
            }
            switch written {
            case .wouldBlock:
                return .wouldBlock
            case .processed(let count):
                self.consume(count)
            }
        }
        return .drained
    }

    private mutating func consume(_ count: Int) {
        var remaining = count
        self.pendingBytes -= count
        while remaining > 0 {
            let available = self.segments[0].count - self.firstOffset
            if remaining >= available {
                remaining -= available
                if self.segments.count == 1, self.segments[0].capacity <= 4 * Self.coalesceLimit {
                    // Keep the buffer for the next response instead of freeing and reallocating it.
                    self.segments[0].removeAll(keepingCapacity: true)
                } else {
                    self.segments.removeFirst()
                }
                self.firstOffset = 0
            } else {
                self.firstOffset += remaining
                remaining = 0
            }
        }
    }

    private func writeVectored(_ descriptor: CInt) throws(SystemError) -> IOResult<Int> {
        let count = min(self.segments.count, Self.maxIOVecs)
        var iovecs: [iovec] = []
        iovecs.reserveCapacity(count)
        // Each array's storage is pinned only inside its closure, so the closures nest.
        func collect(_ index: Int) -> Result<IOResult<Int>, SystemError> {
            if index == count {
                return iovecs.withUnsafeBufferPointer { buffer in Result { () throws(SystemError) in try Posix.sendmsgNoSignal(descriptor, buffer) } }
            }
            return self.segments[index].withUnsafeBytes { raw in
                let offset = index == 0 ? self.firstOffset : 0
                iovecs.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: raw.baseAddress! + offset), iov_len: raw.count - offset))
                return collect(index + 1)
            }
        }
        return try collect(0).get()
    }

    mutating func removeAll() {
        self.segments.removeAll()
        self.firstOffset = 0
        self.pendingBytes = 0
    }
}
