// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

import Sockets

/// A hijacked connection to a container's or exec's standard streams (attach, exec start):
/// ``output`` yields stdout and stderr as they arrive; ``write(_:)`` sends to stdin.
public final class DockerAttachment: Sendable {
    /// The output, demultiplexed unless the container or exec has a TTY.
    public let output: DockerOutputStream
    private let socket: AsyncSocket

    init(output: DockerOutputStream, socket: AsyncSocket) {
        self.output = output
        self.socket = socket
    }

    /// Writes to the process's standard input (the container or exec must have been created
    /// with stdin open).
    public func write(_ bytes: [UInt8]) async throws(DockerError) {
        do {
            try await self.socket.write(bytes)
        } catch {
            throw DockerError.transport(error, operation: self.output.bytes.operation, host: self.output.bytes.host, phase: .body)
        }
    }

    /// Ends standard input (the process reads end-of-file); output keeps flowing.
    public func closeInput() {
        self.socket.shutdownWrite()
    }

    /// Closes the connection.
    public func close() {
        self.socket.close()
    }
}
