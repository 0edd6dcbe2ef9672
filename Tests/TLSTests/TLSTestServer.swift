// slipway — TLS tests
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Sockets
import TestSupport

/// A real TLS server on an ephemeral 127.0.0.1 port: `Tests/python/tls_server.py` (HTTP over
/// Python's ssl) or `openssl s_server`. Stopped by its PID, never by name.
final class TLSTestServer: Sendable {
    let port: UInt16
    private let helper: HelperProcess

    var address: SocketAddress { .ipv4(host: "127.0.0.1", port: self.port) }

    private init(port: UInt16, helper: HelperProcess) {
        self.port = port
        self.helper = helper
    }

    /// Runs `body` against the Python HTTPS server serving `certificate`.
    static func withPython<Result>(
        certificate: String,
        key: String,
        alpn: [String] = ["http/1.1"],
        _ body: (TLSTestServer) async throws -> Result
    ) async throws -> Result {
        var arguments = ["\(ProcessRunner.repositoryRoot)/Tests/python/tls_server.py", "--cert", certificate, "--key", key]
        for name in alpn { arguments += ["--alpn", name] }
        let server = try await Self.start(ProcessRunner.python, arguments, portLinePrefix: "PORT ")
        return try await server.run(body)
    }

    /// Runs `body` against `openssl s_server -www` with `options` (for example `-tls1_2`).
    static func withOpenSSL<Result>(
        certificate: String,
        key: String,
        options: [String],
        _ body: (TLSTestServer) async throws -> Result
    ) async throws -> Result {
        let arguments = ["s_server", "-accept", "127.0.0.1:0", "-cert", certificate, "-key", key, "-www"] + options
        let server = try await Self.start("openssl", arguments, portLinePrefix: "ACCEPT ")
        return try await server.run(body)
    }

    private func run<Result>(_ body: (TLSTestServer) async throws -> Result) async throws -> Result {
        do {
            let result = try await body(self)
            await self.stop()
            return result
        } catch {
            await self.stop()
            throw error
        }
    }

    /// Starts `executable` and waits for the line that announces its port.
    private static func start(_ executable: String, _ arguments: [String], portLinePrefix: String) async throws -> TLSTestServer {
        let (helper, port) = try await HelperProcess.start(executable, arguments) { line -> UInt16? in
            guard line.hasPrefix(portLinePrefix) else { return nil }
            return line.split(whereSeparator: { $0 == ":" || $0 == " " }).last.flatMap { UInt16($0) }
        }
        return TLSTestServer(port: port, helper: helper)
    }

    /// What the server wrote so far.
    var log: String { self.helper.log }

    /// Stops the server (SIGKILL: it keeps nothing that needs an orderly exit) and waits for it.
    func stop() async {
        await self.helper.stop()
    }
}
