// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials

/// A response: status, header fields and body.
public struct HTTPResponse: Sendable {
    public var status: HTTPStatus
    public var fields: HTTPFields
    public var body: ResponseBody

    public init(status: HTTPStatus = .ok, fields: HTTPFields = HTTPFields(), body: ResponseBody = .empty) {
        self.status = status
        self.fields = fields
        self.body = body
    }

    /// A `text/plain; charset=utf-8` response.
    public static func text(_ text: String, status: HTTPStatus = .ok) -> HTTPResponse {
        HTTPResponse(status: status, fields: ["Content-Type": "text/plain; charset=utf-8"], body: ResponseBody(string: text))
    }

    /// An `application/json` response of already-encoded bytes.
    public static func json(bytes: [UInt8], status: HTTPStatus = .ok) -> HTTPResponse {
        HTTPResponse(status: status, fields: ["Content-Type": "application/json"], body: ResponseBody(bytes: bytes))
    }

    /// An `application/json` response of `value`, encoded with ``JSONCoding/encoder``.
    public static func json(_ value: some Encodable, status: HTTPStatus = .ok) throws -> HTTPResponse {
        .json(bytes: try JSONCoding.encode(value), status: status)
    }
}

/// The JSON settings every slipway endpoint shares: snake_case keys come from the types
/// themselves, dates are RFC 3339 strings, output is compact with sorted keys for stable diffs.
public enum JSONCoding {
    public static func encode(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return Array(try encoder.encode(value))
    }

    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(type, from: Data(bytes))
    }
}
