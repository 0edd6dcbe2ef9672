// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

/// A container's or exec's output as it arrives: stdout and stderr chunks decoded from the
/// multiplexed frame format, or the raw stream of a TTY container.
///
/// ```swift
/// for try await chunk in try await docker.logs(id, options: LogOptions(follow: true)) {
///     switch chunk.stream {
///     case .stderr: errorLog.append(chunk.bytes)
///     default: log.append(chunk.bytes)
///     }
/// }
/// ```
/// Nothing is buffered beyond one read from the socket (64 KiB). The end of the connection in
/// the middle of a frame, or a broken connection, throws ``DockerError``.
public final class DockerOutputStream: AsyncSequence, @unchecked Sendable {
    // @unchecked: single reader by contract, like DockerByteStream.
    public typealias Element = DockerOutputChunk

    /// Whether the stream is multiplexed (Tty false) or raw (Tty true).
    public let isMultiplexed: Bool
    let bytes: DockerByteStream
    private var demultiplexer = DockerStreamDemultiplexer()
    private var ready: [DockerOutputChunk] = []
    private var readyIndex = 0

    init(bytes: DockerByteStream, multiplexed: Bool) {
        self.bytes = bytes
        self.isMultiplexed = multiplexed
    }

    /// The next chunk, or `nil` at the end. Throws ``DockerError``.
    public func next() async throws -> DockerOutputChunk? {
        while true {
            if self.readyIndex < self.ready.count {
                defer { self.readyIndex += 1 }
                return self.ready[self.readyIndex]
            }
            self.ready.removeAll(keepingCapacity: true)
            self.readyIndex = 0
            guard let piece = try await self.bytes.next() else {
                if self.isMultiplexed {
                    do {
                        try self.demultiplexer.finish()
                    } catch {
                        throw DockerError(error.code, error.message, operation: self.bytes.operation)
                    }
                }
                return nil
            }
            guard self.isMultiplexed else { return DockerOutputChunk(stream: .raw, bytes: piece) }
            do {
                try self.demultiplexer.decode(piece, into: &self.ready)
            } catch {
                self.bytes.cancel()
                throw DockerError(error.code, error.message, operation: self.bytes.operation)
            }
        }
    }

    /// Reads the rest of the output; more than `limit` bytes in total is an error.
    public func collect(limit: Int = 16 * 1024 * 1024) async throws(DockerError) -> DockerOutput {
        var output = DockerOutput()
        do {
            while let chunk = try await self.next() {
                output.append(chunk)
                if output.count > limit {
                    self.cancel()
                    throw DockerError(.invalidResponse, "the output is larger than \(limit) bytes", operation: self.bytes.operation)
                }
            }
        } catch let error as DockerError {
            throw error
        } catch {
            throw DockerError.transport(error, operation: self.bytes.operation, host: self.bytes.host, phase: .body)
        }
        return output
    }

    /// Stops reading and closes the connection (for a followed log: stops following).
    public func cancel() { self.bytes.cancel() }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let stream: DockerOutputStream
        public mutating func next() async throws -> DockerOutputChunk? { try await self.stream.next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(stream: self) }
}
