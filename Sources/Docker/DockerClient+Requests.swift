// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import HTTP

extension DockerClient {
    /// How long a call may wait for its response head.
    enum HeadTimeout {
        /// ``Configuration/requestTimeout``.
        case standard
        /// No limit: calls that block until something happens (`wait`, stop with a grace
        /// period, uploads whose answer comes after the engine processed the whole body).
        case none
        case after(Duration)

        var http: Duration?? {
            switch self {
            case .standard: nil
            case .none: .some(nil)
            case .after(let duration): .some(duration)
            }
        }
    }

    /// Sends a call under the negotiated version prefix and returns once the response head
    /// arrived. A status of 300 or more (but 101) is thrown as ``DockerError`` carrying the
    /// engine's message.
    func execute(
        _ method: HTTPMethod,
        _ path: String,
        query: DockerQuery = DockerQuery(),
        fields: HTTPFields = HTTPFields(),
        body: HTTPClientRequest.Body = .none,
        timeout: HeadTimeout = .standard,
        version: DockerAPIVersion? = nil
    ) async throws(DockerError) -> HTTPClientResponse {
        let prefix: DockerAPIVersion
        if let version { prefix = version } else { prefix = try await self.apiVersion() }
        return try await self.executeRaw(method, "/v\(prefix)\(path)", query: query, fields: fields, body: body, timeout: timeout)
    }

    /// Sends a call to `path` exactly as given (only `/_ping` goes without a version).
    func executeRaw(
        _ method: HTTPMethod,
        _ path: String,
        query: DockerQuery = DockerQuery(),
        fields: HTTPFields = HTTPFields(),
        body: HTTPClientRequest.Body = .none,
        timeout: HeadTimeout = .standard
    ) async throws(DockerError) -> HTTPClientResponse {
        let operation = "\(method) \(path)"
        let request = HTTPClientRequest(method: method, target: path + query.encoded, fields: fields, body: body)
        let response: HTTPClientResponse
        do {
            response = try await self.http.execute(request, headTimeout: timeout.http)
        } catch {
            throw DockerError.transport(error, operation: operation, host: "\(self.host)", phase: .request)
        }
        let status = response.status.code
        if status >= 300, status != 101 {
            throw await self.engineError(response, operation: operation)
        }
        return response
    }

    /// The engine's error: `{"message": "..."}` (or plain text from a proxy), with its status.
    private func engineError(_ response: HTTPClientResponse, operation: String) async -> DockerError {
        let status = response.status.code
        let code = DockerError.Code.forStatus(status)
        let body = (try? await self.collectBody(response, limit: 64 * 1024, operation: operation)) ?? []
        struct Message: Decodable {
            var message: String?
        }
        var message: String
        if let decoded = try? JSONDecoder().decode(Message.self, from: Data(body)), let text = decoded.message {
            message = text
        } else {
            message = String(decoding: body, as: UTF8.self)
        }
        while let last = message.last, last.isWhitespace { message.removeLast() }
        if message.isEmpty { message = status == 304 ? "not modified" : response.status.reasonPhrase.lowercased() }
        return DockerError(code, message, status: status, operation: operation)
    }

    /// Reads a whole (small) body, waiting at most the request timeout for each piece.
    ///
    /// - Parameter idleTimeout: overrides that wait (`.some(nil)`: no limit, for `wait`).
    func collectBody(_ response: HTTPClientResponse, limit: Int? = nil, idleTimeout: Duration?? = nil, operation: String) async throws(DockerError) -> [UInt8] {
        let limit = limit ?? self.configuration.maxResponseBytes
        let idle = idleTimeout ?? self.configuration.requestTimeout
        var body: [UInt8] = []
        do {
            while let piece = try await response.read(idleTimeout: idle) {
                body.append(contentsOf: piece)
                if body.count > limit {
                    response.discard()
                    throw DockerError(.invalidResponse, "the response is larger than \(limit) bytes", operation: operation)
                }
            }
        } catch let error as DockerError {
            throw error
        } catch {
            throw DockerError.transport(error, operation: operation, host: "\(self.host)", phase: .body)
        }
        return body
    }

    /// Reads the rest of a body the caller does not need, so the connection can be reused.
    func drain(_ response: HTTPClientResponse, operation: String) async throws(DockerError) {
        _ = try await self.collectBody(response, limit: 1024 * 1024, operation: operation)
    }

    /// Decodes a JSON response body.
    func decode<T: Decodable>(_ type: T.Type, _ response: HTTPClientResponse, idleTimeout: Duration?? = nil, operation: String = "") async throws(DockerError) -> T {
        let body = try await self.collectBody(response, idleTimeout: idleTimeout, operation: operation)
        do {
            return try JSONDecoder().decode(T.self, from: Data(body))
        } catch {
            let text = String(decoding: body.prefix(300), as: UTF8.self)
            throw DockerError(.invalidResponse, "cannot decode the response as \(T.self): \(text)", operation: operation, underlying: error)
        }
    }

    /// A JSON request body and its content type.
    func jsonBody(_ value: some Encodable) throws(DockerError) -> (HTTPFields, HTTPClientRequest.Body) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        do {
            let data = try encoder.encode(value)
            return (["Content-Type": "application/json"], .bytes(Array(data)))
        } catch {
            throw DockerError(.invalidArgument, "cannot encode the request body: \(error)")
        }
    }

    /// Wraps a streamed response body.
    func byteStream(_ response: HTTPClientResponse, idleTimeout: Duration?, operation: String) -> DockerByteStream {
        DockerByteStream(response: response, idleTimeout: idleTimeout, operation: operation, host: "\(self.host)")
    }

    /// A progress stream (pull, import, load, build): errors on a line are thrown.
    func progressStream(_ response: HTTPClientResponse, operation: String) -> DockerJSONStream<ProgressMessage> {
        DockerJSONStream(bytes: self.byteStream(response, idleTimeout: self.configuration.progressIdleTimeout, operation: operation)) { message throws(DockerError) in
            try ProgressMessage.check(message)
        }
    }

    /// `METHOD /vX.Y/path` for error messages, once the version is known.
    func operation(_ method: HTTPMethod, _ path: String) -> String {
        if let version = self.negotiatedAPIVersion { return "\(method) /v\(version)\(path)" }
        return "\(method) \(path)"
    }
}
