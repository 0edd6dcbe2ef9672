// slipway — API
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import HTTP

/// Any JSON value, for validating request bodies field by field with precise messages.
public enum JSONValue: Sendable, Hashable, Decodable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let bool = try? container.decode(Bool.self) {
            self = .bool(bool)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let string = try? container.decode(String.self) {
            self = .string(string)
        } else if let array = try? container.decode([JSONValue].self) {
            self = .array(array)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// Parses a request body; invalid JSON is a 400 naming the problem.
    public static func parse(_ bytes: [UInt8]) throws(HTTPError) -> JSONValue {
        guard !bytes.isEmpty else { throw HTTPError(.badRequest, "the request body is empty; send a JSON object") }
        do {
            return try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch {
            throw HTTPError(.badRequest, "the request body is not valid JSON: \(Self.describe(error))")
        }
    }

    private static func describe(_ error: Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            return context.underlyingError.map { "\($0)" } ?? context.debugDescription
        }
        return "\(error)"
    }

    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// 422 for a field that is missing or wrong, naming it (RFC 9457 extension member `field`).
func invalidField(_ field: String, _ detail: String) -> HTTPError {
    HTTPError(.unprocessableContent, "\(field): \(detail)", type: "https://slipway.dev/problems/invalid-field", extensions: ["field": field])
}
