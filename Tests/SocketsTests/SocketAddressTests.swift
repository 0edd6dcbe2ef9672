// slipway — Sockets tests
// SPDX-License-Identifier: Apache-2.0

import Sockets
import Testing

@Suite("socket addresses")
struct SocketAddressTests {
    @Test(arguments: [
        ("127.0.0.1:8080", SocketAddress.ipv4(host: "127.0.0.1", port: 8080)),
        ("localhost:0", .ipv4(host: "127.0.0.1", port: 0)),
        ("[::1]:8080", .ipv6(host: "::1", port: 8080)),
        ("0.0.0.0:65535", .ipv4(host: "0.0.0.0", port: 65535)),
        ("unix:/run/slipway.sock", .unix(path: "/run/slipway.sock")),
        ("unix:relative.sock", .unix(path: "relative.sock")),
    ])
    func parses(_ text: String, _ expected: SocketAddress) throws {
        #expect(try SocketAddress(parsing: text) == expected)
        #expect(try SocketAddress(parsing: expected.description) == expected)
    }

    @Test(arguments: [
        "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:+80", "example.com:80",
        "[::1", "[::1]8080", "::1:8080", "unix:", "unix:/" + String(repeating: "a", count: 200), ":8080",
    ])
    func rejects(_ text: String) {
        #expect(throws: SocketAddressError.self) { try SocketAddress(parsing: text) }
    }
}
