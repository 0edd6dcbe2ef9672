// slipway — TLS tests
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Sockets
import TestSupport

/// A real TLS server on an ephemeral 127.0.0.1 port: `Tests/python/tls_server.py` (HTTP over
/// Python's ssl) or `openssl s_server`. Stopped by its PID, never by name.
final class TLSTestServer: @unchecked Sendable {
    // @unchecked: `process` is only started in `start` and signalled in `stop`; Foundation's
    // Process is safe to query from any thread.
    let port: UInt16
    private let process: Process
    private let logFile: String

    var address: SocketAddress { .ipv4(host: "127.0.0.1", port: self.port) }

    private init(port: UInt16, process: Process, logFile: String) {
        self.port = port
        self.process = process
        self.logFile = logFile
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

    /// Starts `executable` with its output in a log file and waits (up to 10 s) for the line
    /// that announces its port.
    private static func start(_ executable: String, _ arguments: [String], portLinePrefix: String) async throws -> TLSTestServer {
        let logFile = FileManager.default.temporaryDirectory.appendingPathComponent("slipway-tls-server-\(UUID().uuidString).log").path
        _ = FileManager.default.createFile(atPath: logFile, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logFile))
        defer { try? log.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try ProcessRunner.resolve(executable))
        process.arguments = arguments
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let text = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix(portLinePrefix) }),
               let port = line.split(whereSeparator: { $0 == ":" || $0 == " " }).last.flatMap({ UInt16($0) }) {
                return TLSTestServer(port: port, process: process, logFile: logFile)
            }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        let server = TLSTestServer(port: 0, process: process, logFile: logFile)
        let output = server.log
        await server.stop()
        throw TLSTestSetupError(message: "\(executable) \(arguments.joined(separator: " ")) did not announce its port:\n\(output)")
    }

    /// What the server wrote so far.
    var log: String { (try? String(contentsOfFile: self.logFile, encoding: .utf8)) ?? "" }

    /// Stops the server with SIGKILL to its PID, waits for it to exit and removes its log.
    ///
    /// Not SIGTERM: a child started by Foundation's Process here inherits the test runner's
    /// blocked-signal mask (SIGTERM included), so SIGTERM would stay pending until a timeout.
    /// These servers keep nothing that needs an orderly exit.
    func stop() async {
        if self.process.isRunning { kill(self.process.processIdentifier, SIGKILL) }
        while self.process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        try? FileManager.default.removeItem(atPath: self.logFile)
    }
}
