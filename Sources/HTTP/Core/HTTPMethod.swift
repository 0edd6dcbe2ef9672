// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

/// A request method, e.g. `GET`. Any RFC 9110 token is representable; the constants are the
/// methods slipway routes.
public struct HTTPMethod: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public static let get = HTTPMethod(rawValue: "GET")
    public static let head = HTTPMethod(rawValue: "HEAD")
    public static let post = HTTPMethod(rawValue: "POST")
    public static let put = HTTPMethod(rawValue: "PUT")
    public static let patch = HTTPMethod(rawValue: "PATCH")
    public static let delete = HTTPMethod(rawValue: "DELETE")
    public static let options = HTTPMethod(rawValue: "OPTIONS")
    public static let connect = HTTPMethod(rawValue: "CONNECT")
    public static let trace = HTTPMethod(rawValue: "TRACE")

    /// Whether this server implements the method; any other token is answered with 501.
    /// A switch, not a `Set` lookup: it runs for every request, and hashing costs more.
    public var isImplemented: Bool {
        switch self.rawValue {
        case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS": true
        default: false
        }
    }

    /// Whether the method is idempotent (RFC 9110 §9.2.2): GET, HEAD, PUT, DELETE, OPTIONS and
    /// TRACE. A client may send such a request again when a connection fails before the answer.
    public var isIdempotent: Bool {
        switch self.rawValue {
        case "GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE": true
        default: false
        }
    }

    /// Methods are case-sensitive tokens (RFC 9110 §9.1): equal when their bytes are. Comparing
    /// the bytes also skips String's Unicode comparison, which `==` on two different strings
    /// falls back to (a response checks `method != .head` several times). Byte-equal strings
    /// hash alike, so the synthesized `hash(into:)` stays consistent.
    public static func == (lhs: HTTPMethod, rhs: HTTPMethod) -> Bool {
        let left = lhs.rawValue.utf8
        let right = rhs.rawValue.utf8
        return left.count == right.count && left.elementsEqual(right)
    }

    public var description: String { self.rawValue }
}
