// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

/// The body of a response: bytes known up front, or a stream produced while it is sent.
public struct ResponseBody: Sendable {
    /// Writes a streaming body; it runs as a task and may suspend on back-pressure.
    public typealias Producer = @Sendable (ResponseBodyWriter) async throws -> Void

    enum Storage: Sendable {
        case bytes([UInt8])
        case stream(contentLength: Int?, producer: Producer)
    }

    let storage: Storage

    public static let empty = ResponseBody(storage: .bytes([]))

    public init(bytes: [UInt8]) { self.storage = .bytes(bytes) }

    public init(string: String) { self.storage = .bytes(Array(string.utf8)) }

    private init(storage: Storage) { self.storage = storage }

    /// A body produced by `producer` as it is sent. With `contentLength` the response is
    /// framed by length and the producer must write exactly that many bytes; without, HTTP/1.1
    /// uses chunked coding and HTTP/2 DATA frames.
    public static func stream(contentLength: Int? = nil, _ producer: @escaping Producer) -> ResponseBody {
        ResponseBody(storage: .stream(contentLength: contentLength, producer: producer))
    }

    /// The length when known before sending.
    public var knownLength: Int? {
        switch self.storage {
        case .bytes(let bytes): bytes.count
        case .stream(let length, _): length
        }
    }

    /// The bytes of a non-streaming body; `nil` for a stream.
    public var bytes: [UInt8]? {
        if case .bytes(let bytes) = self.storage { return bytes }
        return nil
    }
}

/// Where a streaming body's bytes go. Each protocol's connection provides one.
protocol ResponseBodySink: AnyObject, Sendable {
    /// Queues `bytes` for sending (from any thread); calls `completion` once the connection is
    /// ready for more, or with an error if the peer went away.
    func enqueue(_ bytes: [UInt8], completion: @escaping @Sendable (Error?) -> Void)
    /// Ends the body (from any thread); an error aborts it (HTTP/1.1 closes, HTTP/2 resets).
    func finish(error: Error?)
}

/// Sends the bytes of a streaming response body, waiting whenever the peer reads slowly.
public final class ResponseBodyWriter: Sendable {
    let sink: any ResponseBodySink

    init(sink: any ResponseBodySink) { self.sink = sink }

    /// Sends `bytes`; returns once the connection can take more. Throws if the peer has gone.
    public func write(_ bytes: [UInt8]) async throws {
        guard !bytes.isEmpty else { return }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            self.sink.enqueue(bytes) { error in
                if let error { continuation.resume(throwing: error) } else { continuation.resume() }
            }
        }
    }

    public func write(_ string: String) async throws {
        try await self.write(Array(string.utf8))
    }
}

/// The peer closed the connection (or reset the stream) before the response was sent.
public struct ConnectionClosedError: Error, Sendable, CustomStringConvertible {
    public init() {}
    public var description: String { "the client closed the connection" }
}
