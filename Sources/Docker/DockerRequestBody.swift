// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

import HTTP

/// The body of an upload: an image or archive tar, a build context. Streamed bodies are sent
/// as they are produced, so a large tar never has to sit in memory.
public struct DockerRequestBody: Sendable {
    let http: HTTPClientRequest.Body

    private init(_ http: HTTPClientRequest.Body) { self.http = http }

    /// Bytes already in memory.
    public static func bytes(_ bytes: [UInt8]) -> DockerRequestBody {
        DockerRequestBody(.bytes(bytes))
    }

    /// Bytes written by `producer` while the request is sent; framed by `length` when it is
    /// known, otherwise with chunked transfer coding.
    public static func stream(length: Int? = nil, _ producer: @escaping @Sendable (DockerBodyWriter) async throws -> Void) -> DockerRequestBody {
        DockerRequestBody(.stream(length: length) { writer in
            try await producer(DockerBodyWriter(writer: writer))
        })
    }

    /// Relays another call's response body, e.g. `GET /images/{name}/get` of one daemon into
    /// `POST /images/load` of another, without holding the tar in memory.
    public static func relay(_ source: DockerByteStream) -> DockerRequestBody {
        .stream(length: nil) { writer in
            for try await piece in source {
                try await writer.write(piece)
            }
        }
    }
}

/// Writes the bytes of a streamed ``DockerRequestBody``.
public struct DockerBodyWriter: Sendable {
    let writer: HTTPClientBodyWriter

    /// Sends `bytes`; returns once they are written to the socket (back-pressure).
    public func write(_ bytes: [UInt8]) async throws {
        try await self.writer.write(bytes)
    }
}
