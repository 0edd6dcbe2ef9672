// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

/// The fields of one response head, laid out in one byte buffer for nghttp2: names
/// lowercased (RFC 9113 §8.2.1), connection-specific fields left out (§8.2.2), and fields
/// that could not be sent safely dropped. Reused across responses of a connection.
struct HTTP2HeaderBlock {
    struct Entry {
        var nameStart: Int
        var nameLength: Int
        var valueStart: Int
        var valueLength: Int
    }

    private(set) var bytes: [UInt8] = []
    private(set) var entries: [Entry] = []

    init() {
        self.bytes.reserveCapacity(256)
        self.entries.reserveCapacity(8)
    }

    mutating func removeAll() {
        self.bytes.removeAll(keepingCapacity: true)
        self.entries.removeAll(keepingCapacity: true)
    }

    /// Appends a field whose name is already lowercase (pseudo-fields and the server's own).
    mutating func append(lowercaseName name: StaticString, value: some Collection<UInt8>) {
        let nameStart = self.bytes.count
        self.bytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        let valueStart = self.bytes.count
        self.bytes.append(contentsOf: value)
        self.entries.append(Entry(nameStart: nameStart, nameLength: valueStart - nameStart, valueStart: valueStart, valueLength: self.bytes.count - valueStart))
    }

    /// Appends a field with a non-negative decimal value, written without a temporary.
    mutating func append(lowercaseName name: StaticString, decimal value: Int) {
        let nameStart = self.bytes.count
        self.bytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        let valueStart = self.bytes.count
        var remaining = max(0, value)
        repeat {
            self.bytes.append(UInt8(ascii: "0") + UInt8(remaining % 10))
            remaining /= 10
        } while remaining > 0
        self.bytes[valueStart...].reverse()
        self.entries.append(Entry(nameStart: nameStart, nameLength: valueStart - nameStart, valueStart: valueStart, valueLength: self.bytes.count - valueStart))
    }

    /// Appends the `:status` pseudo-field.
    mutating func appendStatus(_ code: Int) {
        let clamped = min(max(code, 100), 999)
        let digits: [UInt8] = [UInt8(ascii: "0") + UInt8(clamped / 100), UInt8(ascii: "0") + UInt8(clamped / 10 % 10), UInt8(ascii: "0") + UInt8(clamped % 10)]
        self.append(lowercaseName: ":status", value: digits)
    }

    /// Appends a handler's field, lowercasing its name. Returns false (and appends nothing)
    /// for a field HTTP/2 forbids or that is not a valid field.
    @discardableResult
    mutating func append(field: HTTPFields.Field) -> Bool {
        guard !Self.isConnectionSpecific(field.name), HTTP1ResponseEncoder.isValidField(field) else { return false }
        let nameStart = self.bytes.count
        for byte in field.name.utf8 {
            self.bytes.append((byte >= 0x41 && byte <= 0x5A) ? byte | 0x20 : byte)
        }
        let valueStart = self.bytes.count
        self.bytes.append(contentsOf: field.value.utf8)
        self.entries.append(Entry(nameStart: nameStart, nameLength: valueStart - nameStart, valueStart: valueStart, valueLength: self.bytes.count - valueStart))
        return true
    }

    /// RFC 9113 §8.2.2: fields that only make sense for one HTTP/1.1 hop, plus the framing
    /// fields the server sets itself.
    static func isConnectionSpecific(_ name: String) -> Bool {
        switch name.utf8.count {
        case 2: name.equalsASCIICaseInsensitive("te")
        case 4: name.equalsASCIICaseInsensitive("date")
        case 7: name.equalsASCIICaseInsensitive("upgrade")
        case 10: name.equalsASCIICaseInsensitive("connection") || name.equalsASCIICaseInsensitive("keep-alive")
        case 14: name.equalsASCIICaseInsensitive("content-length")
        case 16: name.equalsASCIICaseInsensitive("proxy-connection")
        case 17: name.equalsASCIICaseInsensitive("transfer-encoding")
        default: false
        }
    }
}
