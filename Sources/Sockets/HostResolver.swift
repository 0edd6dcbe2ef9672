// slipway — Sockets
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import Threads

/// Turns a host name into socket addresses with `getaddrinfo`.
///
/// `getaddrinfo` blocks (it may read `/etc/hosts`, ask a DNS server and wait for its answer),
/// so every lookup runs on a thread of its own, never on Swift's cooperative pool, whose two
/// threads on a 2-core machine would otherwise stall for the whole lookup (docs/architecture.md,
/// "Concurrency"). Lookups are rare (one per new connection to a named
/// host), so a short-lived thread per lookup costs little and keeps one slow DNS answer from
/// holding up another.
///
/// ```swift
/// let addresses = try await HostResolver.resolve(host: "gitlab.example.com", port: 443)
/// ```
public enum HostResolver {
    /// The TCP addresses of `host` in the order the system prefers them (`/etc/gai.conf`).
    ///
    /// A numeric address (`127.0.0.1`, `::1`, with or without brackets) and `localhost` are
    /// returned without a lookup.
    /// - Throws: ``SocketAddressError`` naming the host and the resolver's reason (for example
    ///   `Name or service not known`).
    public static func resolve(host: String, port: UInt16) async throws(SocketAddressError) -> [SocketAddress] {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        let bracketed = bare.contains(":") ? "[\(bare)]:\(port)" : "\(bare):\(port)"
        if let numeric = try? SocketAddress(parsing: bracketed), !numeric.isUnix {
            return [numeric]
        }
        let result: Result<[SocketAddress], SocketAddressError> = await withCheckedContinuation { continuation in
            NamedThread.detach(name: "resolve-host") {
                continuation.resume(returning: Self.lookUp(host: bare, port: port))
            }
        }
        return try result.get()
    }

    /// The blocking lookup; runs on a lookup thread.
    static func lookUp(host: String, port: UInt16) -> Result<[SocketAddress], SocketAddressError> {
        var hints = addrinfo()
        hints.ai_socktype = CInt(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        // Only families this host has an address for (no IPv6 answers on an IPv4-only host).
        hints.ai_flags = AI_ADDRCONFIG
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0, let first = list else {
            let reason = status == 0 ? "no address" : String(cString: gai_strerror(status))
            return .failure(SocketAddressError(host, "cannot resolve the host name: \(reason)"))
        }
        defer { freeaddrinfo(list) }
        var addresses: [SocketAddress] = []
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            switch current.pointee.ai_family {
            case AF_INET:
                var address = current.pointee.ai_addr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                if inet_ntop(AF_INET, &address, &text, socklen_t(text.count)) != nil {
                    addresses.append(.ipv4(host: decodeCString(text), port: port))
                }
            case AF_INET6:
                var address = current.pointee.ai_addr.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                if inet_ntop(AF_INET6, &address, &text, socklen_t(text.count)) != nil {
                    addresses.append(.ipv6(host: decodeCString(text), port: port))
                }
            default:
                break
            }
            entry = current.pointee.ai_next
        }
        // getaddrinfo lists an address once per socket type unless hints narrow it; keep the
        // first of each.
        var seen: Set<SocketAddress> = []
        addresses = addresses.filter { seen.insert($0).inserted }
        guard !addresses.isEmpty else {
            return .failure(SocketAddressError(host, "cannot resolve the host name: no IPv4 or IPv6 address"))
        }
        return .success(addresses)
    }
}
