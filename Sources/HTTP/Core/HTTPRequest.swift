// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

import Sockets

/// A complete request as a handler sees it: head, collected body and route parameters.
///
/// The body is collected before the handler runs, up to the route's body limit, so handlers
/// never deal with slow uploads; anything larger was already answered with 413.
public struct HTTPRequest: Sendable {
    public var head: HTTPRequestHead
    public var body: [UInt8]
    /// Values captured by `{name}` segments of the matched route, percent-decoded.
    public var parameters: [String: String]
    /// The peer's address; `nil` for tests that call handlers directly.
    public var remoteAddress: SocketAddress?

    public init(head: HTTPRequestHead, body: [UInt8] = [], parameters: [String: String] = [:], remoteAddress: SocketAddress? = nil) {
        self.head = head
        self.body = body
        self.parameters = parameters
        self.remoteAddress = remoteAddress
    }

    public var method: HTTPMethod { self.head.method }
    public var fields: HTTPFields { self.head.fields }
    public var path: Substring { self.head.path }

    /// The first value of query parameter `name`, percent-decoded (`+` is a space).
    public func query(_ name: String) -> String? {
        self.queryValues(name).first
    }

    /// Every value of query parameter `name`, in order.
    public func queryValues(_ name: String) -> [String] {
        guard let query = self.head.query else { return [] }
        var values: [String] = []
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let (key, value) = pair.firstIndex(of: "=").map { (pair[..<$0], pair[pair.index(after: $0)...]) } ?? (pair, "")
            // Handlers look up several parameters per request; a key without escapes is
            // compared as it is, without decoding it into a new string each time.
            let matches = key.utf8.contains { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }
                ? PercentDecoding.decode(key, plusAsSpace: true) == name : key == name
            if matches {
                values.append(PercentDecoding.decode(value, plusAsSpace: true) ?? String(value))
            }
        }
        return values
    }

    /// Every query parameter as a decoded name and value, in order (a parameter whose name does
    /// not decode is left out, as ``queryValues(_:)`` never matches it). For handlers that look
    /// up several parameters: the query is split and decoded once.
    public var queryItems: [(name: String, value: String)] {
        guard let query = self.head.query else { return [] }
        return query.split(separator: "&", omittingEmptySubsequences: true).compactMap { pair in
            let (key, value) = pair.firstIndex(of: "=").map { (pair[..<$0], pair[pair.index(after: $0)...]) } ?? (pair, "")
            guard let name = PercentDecoding.decode(key, plusAsSpace: true) else { return nil }
            return (name, PercentDecoding.decode(value, plusAsSpace: true) ?? String(value))
        }
    }

    /// The names of every query parameter present, in order, without duplicates.
    public var queryNames: [String] {
        guard let query = self.head.query else { return [] }
        var seen: [String] = []
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let key = pair.firstIndex(of: "=").map { pair[..<$0] } ?? pair
            if let name = PercentDecoding.decode(key, plusAsSpace: true), !seen.contains(name) { seen.append(name) }
        }
        return seen
    }
}

/// Percent-decoding of URI components (RFC 3986 §2.1), applied only after routing.
enum PercentDecoding {
    /// Decodes `%XX` escapes; returns `nil` for a malformed escape or bytes that are not UTF-8.
    static func decode(_ text: Substring, plusAsSpace: Bool = false) -> String? {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "%") || (plusAsSpace && $0 == UInt8(ascii: "+")) }) else {
            return String(text)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next().flatMap(HTTP1Syntax.hexValue), let low = iterator.next().flatMap(HTTP1Syntax.hexValue) else { return nil }
                bytes.append(high << 4 | low)
            } else if plusAsSpace && byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
