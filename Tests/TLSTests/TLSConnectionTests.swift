// slipway — TLS tests
// SPDX-License-Identifier: Apache-2.0

import Foundation
import HTTP
import Sockets
import TLS
import TestSupport
import Testing

/// The TLS client against real servers (Python's ssl, `openssl s_server`) on 127.0.0.1.
@Suite struct TLSConnectionTests {
    @Test func handshakeVerifiesTheServerAndCarriesHTTP() async throws {
        let pki = try await TestPKI.shared()
        let context = try TLSContext(client: pki.trustingTestCA)
        try await TLSTestServer.withPython(certificate: pki.certificateFile(.localhost), key: pki.keyFile) { server in
            let socket = try await AsyncSocket.connect(to: server.address, on: sharedTestGroup.next())
            let tls = try await TLSConnection.connect(over: socket, context: context, serverName: "localhost")
            #expect(tls.negotiatedProtocol == "http/1.1")
            #expect(tls.negotiatedVersion == .tls1_3)
            try await tls.write(Array("GET /hello HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".utf8))
            let answer = String(decoding: try await Self.readToEnd(tls), as: UTF8.self)
            #expect(answer.hasPrefix("HTTP/1.1 200"))
            #expect(answer.contains("X-SNI: localhost\r\n"))
            #expect(answer.hasSuffix("hello over TLS\n"))
            tls.close()
            #expect(tls.isClosed)
        }
    }

    /// A certificate that fails verification, and the reason OpenSSL must give.
    struct Rejection: Sendable, CustomStringConvertible {
        var leaf: TestPKI.Leaf
        var trustsTestCA: Bool
        var serverName: String
        var verifyCode: Int
        var reason: String
        var description: String { "\(self.leaf) as \(self.serverName), \(self.trustsTestCA ? "test CA" : "system store"): \(self.reason)" }
    }

    static let rejections: [Rejection] = [
        Rejection(leaf: .localhost, trustsTestCA: false, serverName: "localhost", verifyCode: 20, reason: "unable to get local issuer certificate"),
        Rejection(leaf: .otherHost, trustsTestCA: true, serverName: "localhost", verifyCode: 62, reason: "hostname mismatch"),
        Rejection(leaf: .otherHost, trustsTestCA: true, serverName: "127.0.0.1", verifyCode: 64, reason: "IP address mismatch"),
        Rejection(leaf: .expired, trustsTestCA: true, serverName: "localhost", verifyCode: 10, reason: "certificate has expired"),
    ]

    @Test(arguments: Self.rejections)
    func refusesACertificateNamingTheReason(_ rejection: Rejection) async throws {
        let pki = try await TestPKI.shared()
        let context = try TLSContext(client: rejection.trustsTestCA ? pki.trustingTestCA : TLSConfiguration())
        try await TLSTestServer.withPython(certificate: pki.certificateFile(rejection.leaf), key: pki.keyFile) { server in
            let socket = try await AsyncSocket.connect(to: server.address, on: sharedTestGroup.next())
            let error = await #expect(throws: TLSError.self) {
                try await TLSConnection.connect(over: socket, context: context, serverName: rejection.serverName)
            }
            #expect(error?.code == .certificateRejected)
            #expect(error?.verifyFailure == TLSError.VerifyFailure(code: rejection.verifyCode, reason: rejection.reason))
            #expect(error?.message.contains(rejection.reason) == true)
            #expect(error?.message.contains(rejection.serverName) == true)
            #expect(error?.openSSLErrors.contains("certificate verify failed") == true)
            #expect(socket.isClosed, "a failed handshake closes its socket")
        }
    }

    @Test(arguments: [("-tls1_2", TLSVersion.tls1_2), ("-tls1_3", TLSVersion.tls1_3)])
    func speaksEitherVersion(option: String, version: TLSVersion) async throws {
        let pki = try await TestPKI.shared()
        let context = try TLSContext(client: pki.trustingTestCA)
        try await TLSTestServer.withOpenSSL(certificate: pki.certificateFile(.localhost), key: pki.keyFile, options: [option, "-alpn", "http/1.1"]) { server in
            let socket = try await AsyncSocket.connect(to: server.address, on: sharedTestGroup.next())
            let tls = try await TLSConnection.connect(over: socket, context: context, serverName: "localhost")
            #expect(tls.negotiatedVersion == version)
            #expect(tls.negotiatedProtocol == "http/1.1")
            try await tls.write(Array("GET / HTTP/1.0\r\n\r\n".utf8))
            let page = String(decoding: try await Self.readToEnd(tls), as: UTF8.self)
            #expect(page.hasPrefix("HTTP/1.0 200"))
            tls.close()
        }
    }

    @Test func refusesAServerThatSpeaksOnlyTLS11() async throws {
        let pki = try await TestPKI.shared()
        let context = try TLSContext(client: pki.trustingTestCA)
        // Security level 0: OpenSSL 3 allows TLS 1.1 at no other level.
        let options = ["-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"]
        try await TLSTestServer.withOpenSSL(certificate: pki.certificateFile(.localhost), key: pki.keyFile, options: options) { server in
            // The server does speak TLS 1.1 to a client that asks for it, so the refusal below
            // is ours.
            let probe = try await ProcessRunner.run(
                "openssl", ["s_client", "-connect", "127.0.0.1:\(server.port)", "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"], input: []
            )
            #expect(probe.stdout.contains("TLSv1.1"), "\(probe.stdout)\(probe.stderr)")

            let socket = try await AsyncSocket.connect(to: server.address, on: sharedTestGroup.next())
            let error = await #expect(throws: TLSError.self) {
                try await TLSConnection.connect(over: socket, context: context, serverName: "localhost")
            }
            #expect(error?.code == .handshakeFailed)
            #expect(error?.message.contains("no TLS version this client accepts") == true, "\(String(describing: error))")
            #expect(error?.openSSLErrors.contains { $0.contains("protocol version") } == true)
        }
    }

    @Test func acceptsAServerThatChoosesNoApplicationProtocol() async throws {
        let pki = try await TestPKI.shared()
        let context = try TLSContext(client: pki.trustingTestCA)
        try await TLSTestServer.withPython(certificate: pki.certificateFile(.localhost), key: pki.keyFile, alpn: []) { server in
            let socket = try await AsyncSocket.connect(to: server.address, on: sharedTestGroup.next())
            let tls = try await TLSConnection.connect(over: socket, context: context, serverName: "localhost")
            #expect(tls.negotiatedProtocol == nil)
            tls.close()
        }
    }

    @Test func handshakeTimesOutAgainstASilentServer() async throws {
        // The kernel completes the TCP handshake for a listener that never accepts, so the
        // client's hello goes out and nothing ever answers.
        let listener = try Socket.listening(on: .ipv4(host: "127.0.0.1", port: 0))
        let address = try listener.localAddress()
        var configuration = TLSConfiguration()
        configuration.handshakeTimeout = .milliseconds(300)
        let context = try TLSContext(client: configuration)
        let socket = try await AsyncSocket.connect(to: address, on: sharedTestGroup.next())
        let started = ContinuousClock.now
        let error = await #expect(throws: TLSError.self) {
            try await TLSConnection.connect(over: socket, context: context, serverName: "localhost")
        }
        #expect(error?.code == .timedOut)
        #expect(error?.message.contains("within 0.3 seconds") == true, "\(String(describing: error))")
        // Far below any default (a hang, or the 30 s connect timeout), with room for a full
        // parallel test run starting dozens of servers on two cores (4.6 s seen there).
        #expect(ContinuousClock.now - started < .seconds(25))
        #expect(socket.isClosed)
        listener.close()
    }

    @Test func namesAPortThatServesPlainHTTP() async throws {
        let server = try await TestServer.start(router: Router())
        let context = try TLSContext(client: TLSConfiguration())
        let socket = try await AsyncSocket.connect(to: server.address, on: sharedTestGroup.next())
        let error = await #expect(throws: TLSError.self) {
            try await TLSConnection.connect(over: socket, context: context, serverName: "localhost", timeout: .seconds(5))
        }
        await server.shutdown()
        #expect(error?.code == .handshakeFailed)
        #expect(error?.message.contains("does not speak TLS on this port") == true, "\(String(describing: error))")
    }

    // MARK: - Configuration

    @Test func refusesAMissingOrEmptyCAFile() async throws {
        let pki = try await TestPKI.shared()
        for path in ["\(pki.directory)/no-such-ca.pem", "\(pki.directory)/openssl.cnf"] {
            var configuration = TLSConfiguration()
            configuration.trustRoots = .file(path)
            let error = #expect(throws: TLSError.self) { try TLSContext(client: configuration) }
            #expect(error?.code == .configuration)
            #expect(error?.message.contains(path) == true)
            #expect(error?.openSSLErrors.isEmpty == false)
        }
    }

    @Test func refusesContradictorySettings() {
        var versions = TLSConfiguration()
        versions.minimumVersion = .tls1_3
        versions.maximumVersion = .tls1_2
        #expect(throws: TLSError.self) { try TLSContext(client: versions) }
        var alpn = TLSConfiguration()
        alpn.applicationProtocols = ["http/1.1", ""]
        #expect(throws: TLSError.self) { try TLSContext(client: alpn) }
    }

    static func readToEnd(_ tls: TLSConnection) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        let deadline = Instant.now() + .seconds(10)
        while true {
            let piece = try await tls.read(deadline: deadline)
            if piece.isEmpty { return bytes }
            bytes.append(contentsOf: piece)
        }
    }
}
