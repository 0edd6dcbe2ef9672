// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

/// Decodes the multiplexed stream of a non-TTY container's logs, attach or exec output:
/// frames of an 8-byte header `[type, 0, 0, 0, size (big-endian UInt32)]` and `size` payload
/// bytes, where type is 0 stdin, 1 stdout, 2 stderr, 3 an error message from the daemon.
///
/// Bytes in, payload out, no I/O: feed whatever arrived, in any split. Payloads of
/// consecutive frames of the same stream within one input are merged into one chunk, so a
/// chunk is never larger than the input that carried it and never held past it.
public struct DockerStreamDemultiplexer: Sendable {
    private var header: [UInt8] = []
    private var remaining = 0
    private var current: DockerOutputChunk.Stream = .stdout
    /// Payload of a type-3 frame, reported as an error once complete.
    private var systemError: [UInt8]?

    /// The largest frame accepted: the engine writes at most 32 KiB (logs) or a line; a huge
    /// size means the bytes are not a multiplexed stream.
    public static let maxFrameSize = 64 * 1024 * 1024

    public init() {}

    /// Whether the stream may end here (not inside a frame header or payload).
    public var isAtFrameBoundary: Bool { self.header.isEmpty && self.remaining == 0 }

    /// Decodes `bytes`, appending the payload to `output`.
    public mutating func decode(_ bytes: [UInt8], into output: inout [DockerOutputChunk]) throws(DockerError) {
        var index = 0
        let count = bytes.count
        while index < count {
            if self.remaining == 0 {
                let need = 8 - self.header.count
                let take = min(need, count - index)
                self.header.append(contentsOf: bytes[index..<(index + take)])
                index += take
                guard self.header.count == 8 else { return }
                try self.startFrame()
                if self.remaining == 0 { try self.endFrameIfSystemError() }
                continue
            }
            let take = min(self.remaining, count - index)
            let payload = bytes[index..<(index + take)]
            index += take
            self.remaining -= take
            if self.systemError != nil {
                self.systemError!.append(contentsOf: payload)
            } else if let last = output.last, last.stream == self.current {
                output[output.count - 1].bytes.append(contentsOf: payload)
            } else {
                output.append(DockerOutputChunk(stream: self.current, bytes: Array(payload)))
            }
            if self.remaining == 0 { try self.endFrameIfSystemError() }
        }
    }

    /// Checks that the stream ended on a frame boundary.
    public func finish() throws(DockerError) {
        if !self.header.isEmpty {
            throw DockerError(.streamFailed, "the stream ended inside a frame header (\(self.header.count) of 8 bytes)")
        }
        if self.remaining > 0 {
            throw DockerError(.streamFailed, "the stream ended \(self.remaining) bytes before the end of a frame")
        }
    }

    private mutating func startFrame() throws(DockerError) {
        let header = self.header
        self.header.removeAll(keepingCapacity: true)
        guard header[1] == 0, header[2] == 0, header[3] == 0 else {
            throw DockerError(.invalidResponse, "not a multiplexed stream (a frame header has non-zero padding); is the container's Tty set?")
        }
        let size = Int(header[4]) << 24 | Int(header[5]) << 16 | Int(header[6]) << 8 | Int(header[7])
        guard size <= Self.maxFrameSize else {
            throw DockerError(.invalidResponse, "not a multiplexed stream (a frame of \(size) bytes); is the container's Tty set?")
        }
        switch header[0] {
        case 0: self.current = .stdin
        case 1: self.current = .stdout
        case 2: self.current = .stderr
        case 3: self.systemError = []
        default:
            throw DockerError(.invalidResponse, "not a multiplexed stream (frame type \(header[0])); is the container's Tty set?")
        }
        self.remaining = size
    }

    private mutating func endFrameIfSystemError() throws(DockerError) {
        guard let message = self.systemError else { return }
        self.systemError = nil
        throw DockerError(.operationFailed, "the daemon reported an error in the stream: \(String(decoding: message, as: UTF8.self))")
    }
}
