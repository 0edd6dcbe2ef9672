// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials

/// A stream of JSON objects, one per line, decoded as they arrive: `/events`, and the
/// progress of pull, import, load and build (``ProgressMessage``).
///
/// For progress streams an `error` line, which the engine sends inside an HTTP 200 response,
/// is thrown as ``DockerError/Code/operationFailed`` with the engine's message. Read by one
/// task at a time; dropping the stream closes its connection (which cancels a pull or build).
public final class DockerJSONStream<Element: Decodable & Sendable>: AsyncSequence, @unchecked Sendable {
    // @unchecked: single reader by contract, like DockerByteStream.
    let bytes: DockerByteStream
    private let check: @Sendable (Element) throws(DockerError) -> Void
    private var splitter = JSONLineSplitter()
    private var ready: [[UInt8]] = []
    private var readyIndex = 0
    private var ended = false
    private let decoder = JSONDecoder()

    init(bytes: DockerByteStream, check: @escaping @Sendable (Element) throws(DockerError) -> Void = { _ in }) {
        self.bytes = bytes
        self.check = check
    }

    /// The next object, or `nil` at the end. Throws ``DockerError``.
    public func next() async throws -> Element? {
        while true {
            if self.readyIndex < self.ready.count {
                let line = self.ready[self.readyIndex]
                self.readyIndex += 1
                let element: Element
                do {
                    element = try self.decoder.decode(Element.self, from: Data(line))
                } catch {
                    self.bytes.cancel()
                    let text = String(decoding: line.prefix(200), as: UTF8.self)
                    throw DockerError(.invalidResponse, "cannot decode a line of the stream as \(Element.self): \(text)", operation: self.bytes.operation, underlying: error)
                }
                do {
                    try self.check(element)
                } catch {
                    self.bytes.cancel()
                    throw DockerError(error.code, error.message, status: error.status, operation: self.bytes.operation)
                }
                return element
            }
            if self.ended { return nil }
            self.ready.removeAll(keepingCapacity: true)
            self.readyIndex = 0
            if let piece = try await self.bytes.next() {
                do {
                    self.ready = try self.splitter.append(piece)
                } catch {
                    self.bytes.cancel()
                    throw DockerError(error.code, error.message, operation: self.bytes.operation)
                }
            } else {
                self.ended = true
                if let last = self.splitter.finish() { self.ready = [last] }
            }
        }
    }

    /// Stops reading and closes the connection.
    public func cancel() { self.bytes.cancel() }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let stream: DockerJSONStream
        public mutating func next() async throws -> Element? { try await self.stream.next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(stream: self) }
}

extension DockerJSONStream where Element == ProgressMessage {
    /// Reads the stream to its end, calling `onMessage` for each message, and returns what
    /// it reported: the image ID, loaded image names and the build output.
    ///
    /// Throws ``DockerError/Code/operationFailed`` with the engine's message when a line
    /// reports an error (a failed pull, build step or load).
    @discardableResult
    public func waitUntilFinished(_ onMessage: (ProgressMessage) -> Void = { _ in }) async throws(DockerError) -> ProgressResult {
        var result = ProgressResult()
        do {
            while let message = try await self.next() {
                onMessage(message)
                result.record(message)
            }
        } catch let error as DockerError {
            throw error
        } catch {
            throw DockerError.transport(error, operation: self.bytes.operation, host: self.bytes.host, phase: .body)
        }
        return result
    }
}
