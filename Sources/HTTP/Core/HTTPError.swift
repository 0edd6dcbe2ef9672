// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

/// An error a handler throws to answer with a specific status, rendered as RFC 9457
/// `application/problem+json`.
public struct HTTPError: Error, Sendable, CustomStringConvertible {
    public var status: HTTPStatus
    /// A human-readable explanation specific to this occurrence.
    public var detail: String
    /// A URI reference identifying the problem type; `about:blank` when absent.
    public var type: String?
    /// Extension members (e.g. `"field": "image"`), rendered next to the standard ones.
    public var extensions: [String: String]
    /// Extra header fields, e.g. `Allow` for 405 or `WWW-Authenticate` for 401.
    public var fields: HTTPFields

    public init(_ status: HTTPStatus, _ detail: String, type: String? = nil, extensions: [String: String] = [:], fields: HTTPFields = HTTPFields()) {
        self.status = status
        self.detail = detail
        self.type = type
        self.extensions = extensions
        self.fields = fields
    }

    public var description: String { "\(self.status): \(self.detail)" }

    /// The problem document as a response.
    public var response: HTTPResponse {
        var document: [String: String] = self.extensions
        document["type"] = self.type ?? "about:blank"
        document["title"] = self.status.reasonPhrase
        document["detail"] = self.detail
        var bytes = Array("{".utf8)
        bytes.append(contentsOf: Array("\"status\":\(self.status.code)".utf8))
        for key in document.keys.sorted() {
            bytes.append(UInt8(ascii: ","))
            JSONString.append(key, to: &bytes)
            bytes.append(UInt8(ascii: ":"))
            JSONString.append(document[key]!, to: &bytes)
        }
        bytes.append(UInt8(ascii: "}"))
        var fields = self.fields
        fields.set(name: "Content-Type", value: "application/problem+json")
        return HTTPResponse(status: self.status, fields: fields, body: ResponseBody(bytes: bytes))
    }
}

/// Minimal JSON string escaping for documents the server writes itself.
enum JSONString {
    static func append(_ string: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case UInt8(ascii: "\t"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
