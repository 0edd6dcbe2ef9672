// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

import HTTP

extension DockerClient {
    /// `GET /containers/{id}/logs`: the container's output, streamed as it arrives, stdout and
    /// stderr apart (or raw for a TTY container). Needs the `json-file` or `journald` log
    /// driver (the default).
    ///
    /// ```swift
    /// let logs = try await docker.logs(id, options: LogOptions(follow: true))
    /// for try await chunk in logs { sink.write(chunk.stream, chunk.bytes) }
    /// ```
    ///
    /// - Parameter tty: whether the container has a TTY (its stream is raw, not multiplexed);
    ///   `nil` asks the engine (one inspect).
    public func logs(_ id: String, options: LogOptions = LogOptions(), tty: Bool? = nil) async throws(DockerError) -> DockerOutputStream {
        let isTTY: Bool
        if let tty { isTTY = tty } else { isTTY = try await self.inspectContainer(id).config?.tty ?? false }
        let path = "/containers/\(DockerQuery.segment(id))/logs"
        var query = DockerQuery()
        query.add("follow", options.follow)
        query.add("stdout", options.stdout)
        query.add("stderr", options.stderr)
        query.add("since", options.since.map(Self.timestamp))
        query.add("until", options.until.map(Self.timestamp))
        query.add("timestamps", options.timestamps)
        query.add("tail", options.tail.map(String.init) ?? "all")
        let response = try await self.execute(.get, path, query: query)
        let bytes = self.byteStream(response, idleTimeout: options.follow ? options.idleTimeout : (options.idleTimeout ?? self.configuration.requestTimeout), operation: self.operation(.get, path))
        return DockerOutputStream(bytes: bytes, multiplexed: !isTTY)
    }

    /// `POST /containers/{id}/attach`: the container's standard streams over a hijacked
    /// connection. Attach before `start` to miss no output; the stream ends when the container
    /// exits.
    ///
    /// - Parameters:
    ///   - stdin: also attach standard input (the container needs `OpenStdin`).
    ///   - logs: replay the output so far first.
    ///   - tty: whether the container has a TTY; `nil` asks the engine.
    public func attach(_ id: String, stdin: Bool = false, stdout: Bool = true, stderr: Bool = true, logs: Bool = false, tty: Bool? = nil, idleTimeout: Duration? = nil) async throws(DockerError) -> DockerAttachment {
        let isTTY: Bool
        if let tty { isTTY = tty } else { isTTY = try await self.inspectContainer(id).config?.tty ?? false }
        let path = "/containers/\(DockerQuery.segment(id))/attach"
        var query = DockerQuery()
        query.add("stream", true)
        query.add("stdin", stdin)
        query.add("stdout", stdout)
        query.add("stderr", stderr)
        query.add("logs", logs)
        let response = try await self.execute(.post, path, query: query)
        return try self.hijack(response, multiplexed: !isTTY, idleTimeout: idleTimeout, operation: self.operation(.post, path))
    }

    /// Takes over the connection of an attach or exec-start answer. Without an `Upgrade`
    /// header the engine answers `200` with `application/vnd.docker.raw-stream` and then
    /// uses the connection as a raw bidirectional stream until it closes it.
    func hijack(_ response: HTTPClientResponse, multiplexed: Bool, idleTimeout: Duration?, operation: String) throws(DockerError) -> DockerAttachment {
        guard let (socket, buffered) = response.takeConnection() else {
            throw DockerError(.invalidResponse, "the engine's answer did not leave a connection to take over", operation: operation)
        }
        let bytes = DockerByteStream(socket: socket, buffered: buffered, idleTimeout: idleTimeout, operation: operation, host: "\(self.host)")
        return DockerAttachment(output: DockerOutputStream(bytes: bytes, multiplexed: multiplexed), socket: socket)
    }
}
