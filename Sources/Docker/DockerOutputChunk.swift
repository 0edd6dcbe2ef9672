// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

/// A piece of a container's or exec's output, as it arrived.
public struct DockerOutputChunk: Sendable, Hashable {
    /// Which stream the bytes belong to.
    public enum Stream: Sendable, Hashable {
        /// Frame type 0: written to stdout by the engine (seen when stdin is echoed).
        case stdin
        case stdout
        case stderr
        /// A TTY container's output: not multiplexed, stdout and stderr merged, CRLF line
        /// endings, possibly terminal escapes.
        case raw
    }

    public var stream: Stream
    /// Payload bytes; a chunk may end in the middle of a line or of a UTF-8 character.
    public var bytes: [UInt8]

    public init(stream: Stream, bytes: [UInt8]) {
        self.stream = stream
        self.bytes = bytes
    }
}
