// slipway — DockerGuard
// SPDX-License-Identifier: Apache-2.0

import HTTP

/// A request to the Engine API as the guard reads it: the target decoded the way the engine's
/// Go server decodes it, so that what is checked is what the engine would act on. The guard
/// never forwards the target as received: it forwards ``canonicalTarget``, rebuilt from these
/// decoded parts (and from whatever the rules rewrote).
public struct EngineRequest: Sendable, Hashable {
    public var method: HTTPMethod
    /// The version prefix (`1.41` from `/v1.41/…`); `nil` without one.
    public var version: String?
    /// The percent-decoded path without the version prefix.
    public var path: String
    public var query: [QueryItem]
    public var fields: HTTPFields
    public var endpoint: EngineEndpoint
    /// The JSON body, for the endpoints whose rules read it.
    public var body: JSONTree?

    public struct QueryItem: Sendable, Hashable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The lowest API version the guard serves: earlier versions take host settings on
    /// `start`, where the guard does not look.
    public static let minimumVersion = [1, 24]

    /// Decodes a request head, or refuses what the engine would parse differently.
    public init(head: HTTPRequestHead) throws(GuardRefusal) {
        self.method = head.method
        self.fields = head.fields
        let rawPath = head.path
        guard let decoded = Self.percentDecode(rawPath, plusAsSpace: false) else {
            throw GuardRefusal.badRequest("the request path is not validly percent-encoded UTF-8")
        }
        guard decoded.hasPrefix("/"), Self.isClean(decoded) else {
            throw GuardRefusal.badRequest("the request path '\(decoded.prefix(200))' is not a clean absolute path (no '//', '.' or '..' segments)")
        }
        var path = decoded
        if path.hasPrefix("/v"), let slash = path.dropFirst(2).firstIndex(of: "/") {
            let candidate = String(path[path.index(path.startIndex, offsetBy: 2)..<slash])
            if !candidate.isEmpty, candidate.allSatisfy({ $0 == "." || $0.isASCII && $0.isNumber }) {
                guard let parts = Self.versionParts(candidate) else {
                    throw GuardRefusal.badRequest("'\(candidate)' is not an API version such as 1.41")
                }
                guard parts.lexicographicallyPrecedes(Self.minimumVersion) == false else {
                    throw GuardRefusal.forbidden(.apiVersion, "API version \(candidate) is older than 1.24; use 1.24 or later (the Docker CLI negotiates this by itself)")
                }
                self.version = candidate
                path = String(path[slash...])
            }
        }
        self.path = path
        self.query = try Self.parseQuery(head.query)
        self.endpoint = EngineEndpoint(method: head.method, path: path)
        try Self.checkContentType(head.fields)
    }

    /// The values of query parameter `name`, in order.
    public func queryValues(_ name: String) -> [String] {
        self.query.filter { $0.name == name }.map(\.value)
    }

    /// The first value of `name`, as the engine's `r.Form.Get` reads it.
    public func queryValue(_ name: String) -> String? {
        self.query.first { $0.name == name }?.value
    }

    /// Whether a boolean query parameter is set, as the engine's `httputils.BoolValue` reads it.
    public func queryFlag(_ name: String) -> Bool {
        guard let value = self.queryValue(name)?.lowercased() else { return false }
        return !(value.isEmpty || value == "0" || value == "no" || value == "false" || value == "none")
    }

    /// The target to send: `/v<version><path>?<query>`, percent-encoded afresh.
    public func canonicalTarget(path: String? = nil, query: [QueryItem]? = nil) -> String {
        var target = self.version.map { "/v\($0)" } ?? ""
        target += Self.percentEncode(path ?? self.path, keepingSlashes: true)
        let items = query ?? self.query
        if !items.isEmpty {
            target += "?" + items.map { "\(Self.percentEncode($0.name, keepingSlashes: false))=\(Self.percentEncode($0.value, keepingSlashes: false))" }.joined(separator: "&")
        }
        return target
    }

    // MARK: - Decoding

    /// `1.41` → `[1, 41]`; `nil` for anything but dot-separated decimal numbers.
    static func versionParts(_ text: String) -> [Int]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        var numbers: [Int] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 6, let number = Int(part) else { return nil }
            numbers.append(number)
        }
        return numbers
    }

    /// No empty, `.` or `..` segment (a trailing `/` is allowed): the engine's router would
    /// answer anything else with a redirect to another path.
    static func isClean(_ path: String) -> Bool {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        for (index, segment) in segments.enumerated() {
            if segment == "." || segment == ".." { return false }
            if segment.isEmpty && index != segments.count - 1 { return false }
        }
        return true
    }

    /// The query as Go's `url.ParseQuery` reads it, except that what Go would silently drop (a
    /// `;`, a malformed escape) is refused: the guard must never check one reading and
    /// forward another.
    static func parseQuery(_ query: Substring?) throws(GuardRefusal) -> [QueryItem] {
        guard let query, !query.isEmpty else { return [] }
        var items: [QueryItem] = []
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            guard !pair.contains(";") else { throw GuardRefusal.badRequest("the query contains ';', which the engine does not accept as a separator") }
            let (key, value) = pair.firstIndex(of: "=").map { (pair[..<$0], pair[pair.index(after: $0)...]) } ?? (pair, "")
            guard let name = Self.percentDecode(key, plusAsSpace: true), let decoded = Self.percentDecode(value, plusAsSpace: true) else {
                throw GuardRefusal.badRequest("the query parameter '\(key.prefix(64))' is not validly percent-encoded UTF-8")
            }
            items.append(QueryItem(name, decoded))
        }
        return items
    }

    /// The engine's form parser also reads parameters from a urlencoded (or multipart) body,
    /// where they override the query the guard checked: such bodies are refused everywhere.
    static func checkContentType(_ fields: HTTPFields) throws(GuardRefusal) {
        let types = fields.values("content-type")
        guard types.count <= 1 else { throw GuardRefusal.badRequest("more than one Content-Type header") }
        guard let type = types.first else { return }
        let mediaType = type.split(separator: ";", maxSplits: 1).first.map { $0.trimmingHTTPWhitespace().lowercasedASCII() } ?? ""
        if mediaType == "application/x-www-form-urlencoded" || mediaType.hasPrefix("multipart/") {
            throw GuardRefusal.badRequest("form bodies (\(mediaType)) are not accepted: send parameters in the query")
        }
    }

    static func percentDecode(_ text: Substring, plusAsSpace: Bool) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(Self.hexValue), let low = iterator.next().flatMap(Self.hexValue) else { return nil }
                bytes.append(high << 4 | low)
            case UInt8(ascii: "+") where plusAsSpace:
                bytes.append(UInt8(ascii: " "))
            default:
                bytes.append(byte)
            }
        }
        guard !bytes.contains(where: { $0 < 0x20 || $0 == 0x7F }) else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// Escapes everything but unreserved characters (and `/`, `:` and `@` in paths).
    static func percentEncode(_ text: String, keepingSlashes: Bool) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                output.append(byte)
            case UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: "@"):
                if keepingSlashes {
                    output.append(byte)
                } else {
                    output.append(contentsOf: [UInt8(ascii: "%"), Self.hexDigits[Int(byte >> 4)], Self.hexDigits[Int(byte & 0xF)]])
                }
            default:
                output.append(contentsOf: [UInt8(ascii: "%"), Self.hexDigits[Int(byte >> 4)], Self.hexDigits[Int(byte & 0xF)]])
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
