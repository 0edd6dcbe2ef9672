// slipway — TLS tests
// SPDX-License-Identifier: Apache-2.0

import Foundation
import HTTP
import Sockets
import TLS
import TestSupport
import Testing

/// ``HTTPClient`` over TLS against Python's `http.server` behind `ssl` on 127.0.0.1.
@Suite struct HTTPSClientTests {
    @Test(arguments: ["localhost", "127.0.0.1"])
    func getsOverHTTPSWithTheTestCA(host: String) async throws {
        let pki = try await TestPKI.shared()
        try await TLSTestServer.withPython(certificate: pki.certificateFile(.localhost), key: pki.keyFile) { server in
            let client = try HTTPClient(url: "https://\(host):\(server.port)", tls: pki.trustingTestCA, group: sharedTestGroup)
            #expect(client.isSecure)
            let (head, body) = try await client.collect(HTTPClientRequest(target: "/hello"))
            #expect(head.status.code == 200)
            #expect(body == Array("hello over TLS\n".utf8))
            #expect(head.fields["x-alpn"] == "http/1.1")
            #expect(head.fields["x-tls-version"] == "TLSv1.3")
            // SNI carries names only (RFC 6066 §3), never an address.
            #expect(head.fields["x-sni"] == (host == "localhost" ? "localhost" : ""))
        }
    }

    @Test(arguments: TLSConnectionTests.rejections)
    func refusesACertificateNamingTheReason(_ rejection: TLSConnectionTests.Rejection) async throws {
        let pki = try await TestPKI.shared()
        try await TLSTestServer.withPython(certificate: pki.certificateFile(rejection.leaf), key: pki.keyFile) { server in
            let client = try HTTPClient(
                url: "https://\(rejection.serverName):\(server.port)",
                tls: rejection.trustsTestCA ? pki.trustingTestCA : TLSConfiguration(),
                address: server.address,
                group: sharedTestGroup
            )
            let error = await #expect(throws: HTTPClientError.self) {
                try await client.collect(HTTPClientRequest(target: "/hello"))
            }
            #expect(error?.code == .tls)
            #expect((error?.cause as? TLSError)?.verifyFailure?.code == rejection.verifyCode)
            #expect("\(String(describing: error))".contains(rejection.reason))
        }
    }

    @Test func reusesTheTLSConnection() async throws {
        let pki = try await TestPKI.shared()
        try await TLSTestServer.withPython(certificate: pki.certificateFile(.localhost), key: pki.keyFile) { server in
            let client = try HTTPClient(url: "https://localhost:\(server.port)", tls: pki.trustingTestCA, group: sharedTestGroup)
            var ports: Set<String> = []
            for _ in 0..<5 {
                let (head, body) = try await client.collect(HTTPClientRequest(target: "/hello"))
                #expect(body.count == 15)
                ports.insert(head.fields["x-client-port"] ?? "?")
            }
            #expect(ports.count == 1, "five requests, one connection: \(ports)")
        }
    }

    @Test func carriesBodiesOfSeveralMegabytes() async throws {
        let pki = try await TestPKI.shared()
        try await TLSTestServer.withPython(certificate: pki.certificateFile(.localhost), key: pki.keyFile) { server in
            let client = try HTTPClient(url: "https://localhost:\(server.port)", tls: pki.trustingTestCA, group: sharedTestGroup)
            // Random bytes in one call: a per-byte generator takes seconds in a debug build.
            let upload = [UInt8](unsafeUninitializedCapacity: 6 * 1024 * 1024 + 17) { buffer, count in
                arc4random_buf(buffer.baseAddress!, buffer.count)
                count = buffer.count
            }
            let echoed = try await client.collect(HTTPClientRequest(method: .post, target: "/echo", body: .bytes(upload)), limit: 8 * 1024 * 1024)
            #expect(echoed.head.status.code == 200)
            #expect(echoed.body == upload)

            let count = 8 * 1024 * 1024 + 3
            let download = try await client.collect(HTTPClientRequest(target: "/bytes/\(count)"), limit: 16 * 1024 * 1024)
            var expected: [UInt8] = []
            expected.reserveCapacity(count + 256)
            let pattern = Array(UInt8.min...UInt8.max)
            while expected.count < count { expected.append(contentsOf: pattern) }
            expected.removeLast(expected.count - count)
            #expect(download.body == expected)
            #expect(download.head.fields["x-client-port"] == echoed.head.fields["x-client-port"])
        }
    }

    @Test func handshakeTimeoutIsAClientTimeout() async throws {
        let listener = try Socket.listening(on: .ipv4(host: "127.0.0.1", port: 0))
        let port = try listener.localAddress().port ?? 0
        var tls = TLSConfiguration()
        tls.handshakeTimeout = .milliseconds(300)
        let client = try HTTPClient(url: "https://127.0.0.1:\(port)", tls: tls, group: sharedTestGroup)
        let started = ContinuousClock.now
        let error = await #expect(throws: HTTPClientError.self) {
            try await client.collect(HTTPClientRequest(target: "/hello"))
        }
        #expect(error?.code == .timedOut)
        #expect((error?.cause as? TLSError)?.code == .timedOut)
        // 300 ms asked; the bound only tells a timeout from a hang, with room for a loaded machine.
        #expect(ContinuousClock.now - started < .seconds(60))
        listener.close()
    }

    @Test func refusesAnUnusableCAFileAtConstruction() async throws {
        var tls = TLSConfiguration()
        tls.trustRoots = .file("/nonexistent/slipway-ca.pem")
        let error = #expect(throws: HTTPClientError.self) {
            try HTTPClient(url: "https://localhost:8443", tls: tls, group: sharedTestGroup)
        }
        #expect(error?.code == .tls)
        #expect((error?.cause as? TLSError)?.code == .configuration)
    }
}
