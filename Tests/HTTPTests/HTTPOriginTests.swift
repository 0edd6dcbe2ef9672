// slipway — HTTP tests
// SPDX-License-Identifier: Apache-2.0

import HTTP
@testable import Sockets
import TestSupport
import Testing

@Suite struct HTTPOriginTests {
    @Test(arguments: [
        ("https://gitlab.example.com", HTTPOrigin.Scheme.https, "gitlab.example.com", UInt16(443), "gitlab.example.com"),
        ("https://GitLab.Example.com:8443/", .https, "gitlab.example.com", 8443, "gitlab.example.com:8443"),
        ("http://127.0.0.1:8080", .http, "127.0.0.1", 8080, "127.0.0.1:8080"),
        ("http://localhost", .http, "localhost", 80, "localhost"),
        ("HTTPS://[::1]:4443", .https, "::1", 4443, "[::1]:4443"),
        ("https://[::1]", .https, "::1", 443, "[::1]"),
    ])
    func parses(text: String, scheme: HTTPOrigin.Scheme, host: String, port: UInt16, authority: String) throws {
        let origin = try HTTPOrigin(parsing: text)
        #expect(origin.scheme == scheme)
        #expect(origin.host == host)
        #expect(origin.port == port)
        #expect(origin.authority == authority)
    }

    @Test(arguments: [
        "ftp://example.com", "example.com:443", "https://", "https://host:0", "https://host:65536", "https://host:x",
        "https://user@host", "https://host/api/v4", "https://host?x=1", "https://[::1", "https://[::1]x",
    ])
    func refuses(text: String) {
        let error = #expect(throws: HTTPClientError.self) { try HTTPOrigin(parsing: text) }
        #expect(error?.code == .invalidURL)
        #expect(error?.message.contains(text) == true)
    }

    @Test func numericAddressOnlyForAddressesAndLocalhost() throws {
        #expect(try HTTPOrigin(parsing: "https://localhost:8443").numericAddress == .ipv4(host: "127.0.0.1", port: 8443))
        #expect(try HTTPOrigin(parsing: "http://[::1]:80").numericAddress == .ipv6(host: "::1", port: 80))
        #expect(try HTTPOrigin(parsing: "https://gitlab.example.com").numericAddress == nil)
    }

    @Test func clientFromAnHTTPURL() async throws {
        try await withTestServer(router: makeProbeRouter()) { server in
            let client = try HTTPClient(url: "http://127.0.0.1:\(server.port)", group: sharedTestGroup)
            #expect(!client.isSecure)
            let (head, body) = try await client.collect(HTTPClientRequest(target: "/healthz"))
            #expect(head.status.code == 200)
            #expect(body == Array(#"{"status":"ok"}"#.utf8))
        }
    }

    @Test func clientForAHostNameResolvesPerConnection() throws {
        let client = try HTTPClient(url: "https://gitlab.example.com", group: sharedTestGroup)
        #expect(client.address == nil)
        #expect(client.isSecure)
    }

    /// Through getaddrinfo and /etc/hosts (nsswitch consults files first): no DNS traffic.
    @Test func resolverLooksUpLocalhost() async throws {
        let addresses = try HostResolver.lookUp(host: "localhost", port: 8443).get()
        #expect(addresses.contains(.ipv4(host: "127.0.0.1", port: 8443)) || addresses.contains(.ipv6(host: "::1", port: 8443)))
        #expect(try await HostResolver.resolve(host: "127.0.0.1", port: 1) == [.ipv4(host: "127.0.0.1", port: 1)])
        #expect(try await HostResolver.resolve(host: "[::1]", port: 2) == [.ipv6(host: "::1", port: 2)])
    }
}
