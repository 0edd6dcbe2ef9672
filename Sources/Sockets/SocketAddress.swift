// slipway — Sockets
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import CSystem

/// An address a socket can listen on or connect to: IPv4, IPv6 or a Unix-domain path.
public enum SocketAddress: Sendable, Hashable, CustomStringConvertible {
    case ipv4(host: String, port: UInt16)
    case ipv6(host: String, port: UInt16)
    case unix(path: String)

    /// Parses `HOST:PORT`, `[IPv6]:PORT` or `unix:PATH`.
    ///
    /// Hosts must be numeric addresses or `localhost` (which means `127.0.0.1`): resolving names
    /// would block, and a listener should say exactly where it listens.
    public init(parsing text: String) throws(SocketAddressError) {
        if text.hasPrefix("unix:") {
            let path = String(text.dropFirst("unix:".count))
            guard !path.isEmpty else { throw SocketAddressError(text, "the Unix socket path is empty") }
            guard path.utf8.count < Int(csystem_sun_path_capacity()) else {
                throw SocketAddressError(text, "the Unix socket path is longer than \(csystem_sun_path_capacity() - 1) bytes")
            }
            self = .unix(path: path)
            return
        }
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw SocketAddressError(text, "missing ']' after the IPv6 address") }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw SocketAddressError(text, "expected ':PORT' after ']'") }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw SocketAddressError(text, "expected HOST:PORT or unix:PATH") }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            guard !host.contains(":") else { throw SocketAddressError(text, "write IPv6 addresses in brackets: [::1]:8080") }
        }
        guard !portText.isEmpty, portText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let port = UInt16(portText) else {
            throw SocketAddressError(text, "the port must be a number from 0 to 65535")
        }
        let hostString = host == "localhost" ? "127.0.0.1" : String(host)
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, hostString, &v4) == 1 {
            self = .ipv4(host: hostString, port: port)
        } else if inet_pton(AF_INET6, hostString, &v6) == 1 {
            self = .ipv6(host: hostString, port: port)
        } else {
            throw SocketAddressError(text, "'\(host)' is not a numeric IPv4 or IPv6 address")
        }
    }

    /// The protocol family for `socket(2)`.
    public var family: CInt {
        switch self {
        case .ipv4: AF_INET
        case .ipv6: AF_INET6
        case .unix: AF_UNIX
        }
    }

    /// The port of a TCP address; `nil` for Unix-domain addresses.
    public var port: UInt16? {
        switch self {
        case .ipv4(_, let port), .ipv6(_, let port): port
        case .unix: nil
        }
    }

    public var isUnix: Bool {
        if case .unix = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .ipv4(let host, let port): "\(host):\(port)"
        case .ipv6(let host, let port): "[\(host)]:\(port)"
        case .unix(let path): "unix:\(path)"
        }
    }

    /// Calls `body` with this address as a `sockaddr` and its length.
    public func withSockAddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws(SystemError) -> R) throws(SystemError) -> R {
        switch self {
        case .ipv4(let host, let port):
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            _ = inet_pton(AF_INET, host, &address.sin_addr)
            return try withUnsafePointer(to: &address) { (pointer) throws(SystemError) in
                try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { (raw) throws(SystemError) in
                    try body(raw, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        case .ipv6(let host, let port):
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            _ = inet_pton(AF_INET6, host, &address.sin6_addr)
            return try withUnsafePointer(to: &address) { (pointer) throws(SystemError) in
                try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { (raw) throws(SystemError) in
                    try body(raw, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        case .unix(let path):
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { buffer in
                let bytes = Array(path.utf8.prefix(buffer.count - 1))
                buffer.copyBytes(from: bytes)
                buffer[bytes.count] = 0
            }
            let length = socklen_t(MemoryLayout<sa_family_t>.size + path.utf8.count + 1)
            return try withUnsafePointer(to: &address) { (pointer) throws(SystemError) in
                try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { (raw) throws(SystemError) in
                    try body(raw, length)
                }
            }
        }
    }

    init(storage: sockaddr_storage, length: socklen_t) {
        var storage = storage
        switch CInt(storage.ss_family) {
        case AF_INET:
            self = withUnsafePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                    var addr = address.pointee.sin_addr
                    var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
                    inet_ntop(AF_INET, &addr, &text, socklen_t(text.count))
                    return .ipv4(host: decodeCString(text), port: UInt16(bigEndian: address.pointee.sin_port))
                }
            }
        case AF_INET6:
            self = withUnsafePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                    var addr = address.pointee.sin6_addr
                    var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
                    inet_ntop(AF_INET6, &addr, &text, socklen_t(text.count))
                    return .ipv6(host: decodeCString(text), port: UInt16(bigEndian: address.pointee.sin6_port))
                }
            }
        default:
            self = withUnsafePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr_un.self, capacity: 1) { address in
                    let pathLength = Int(length) - MemoryLayout<sa_family_t>.size
                    guard pathLength > 0 else { return .unix(path: "") }
                    return withUnsafeBytes(of: address.pointee.sun_path) { raw in
                        let bytes = raw.prefix(pathLength).prefix { $0 != 0 }
                        return .unix(path: String(decoding: bytes, as: UTF8.self))
                    }
                }
            }
        }
    }
}

/// The text in `characters` up to its NUL (as `inet_ntop` writes it).
func decodeCString(_ characters: [CChar]) -> String {
    let bytes = characters.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    return String(decoding: bytes, as: UTF8.self)
}

/// An address string that could not be parsed.
public struct SocketAddressError: Error, Sendable, CustomStringConvertible {
    public var text: String
    public var reason: String

    init(_ text: String, _ reason: String) {
        self.text = text
        self.reason = reason
    }

    public var description: String { "invalid address '\(self.text)': \(self.reason)" }
}
