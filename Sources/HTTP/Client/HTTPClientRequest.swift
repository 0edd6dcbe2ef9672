// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

/// A request for ``HTTPClient``.
public struct HTTPClientRequest: Sendable {
    /// Writes a streaming request body.
    public typealias BodyProducer = @Sendable (HTTPClientBodyWriter) async throws -> Void

    public enum Body: Sendable {
        case none
        case bytes([UInt8])
        /// Streamed as it is produced; with `length` framed by Content-Length, without chunked.
        case stream(length: Int?, producer: BodyProducer)
    }

    public var method: HTTPMethod
    /// Origin-form target: path and query, e.g. `/v1.41/containers/json?all=1`.
    public var target: String
    public var fields: HTTPFields
    public var body: Body

    public init(method: HTTPMethod = .get, target: String, fields: HTTPFields = HTTPFields(), body: Body = .none) {
        self.method = method
        self.target = target
        self.fields = fields
        self.body = body
    }
}

/// Sends the bytes of a streaming request body.
public struct HTTPClientBodyWriter: Sendable {
    let send: @Sendable ([UInt8]) async throws -> Void

    /// Sends `bytes`; returns once they are written to the socket.
    public func write(_ bytes: [UInt8]) async throws {
        guard !bytes.isEmpty else { return }
        try await self.send(bytes)
    }
}
