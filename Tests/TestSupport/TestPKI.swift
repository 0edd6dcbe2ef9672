// slipway — test support
// SPDX-License-Identifier: Apache-2.0

import Foundation
import TLS

/// A throwaway certificate authority and server certificates, made with the `openssl` command
/// line in a temporary directory once per test process (TLS and commit status tests).
public struct TestPKI: Sendable {
    /// The server certificates the tests serve.
    public enum Leaf: String, Sendable, CaseIterable, CustomStringConvertible {
        /// Valid, for `localhost` and `127.0.0.1`.
        case localhost
        /// For `localhost` and `127.0.0.1`, but its validity ended before it began.
        case expired
        /// Valid, but for `other.example` (and `10.9.8.7`) only.
        case otherHost

        public var description: String { self.rawValue }
    }

    public let directory: String

    /// The test CA's certificate.
    public var caFile: String { "\(self.directory)/ca.pem" }
    /// The private key of every leaf certificate.
    public var keyFile: String { "\(self.directory)/server.key" }

    public func certificateFile(_ leaf: Leaf) -> String { "\(self.directory)/\(leaf.rawValue).pem" }

    /// A client configuration that trusts the test CA only.
    public var trustingTestCA: TLSConfiguration {
        var configuration = TLSConfiguration()
        configuration.trustRoots = .file(self.caFile)
        return configuration
    }

    /// The PKI of this test process, made on first use.
    public static func shared() async throws -> TestPKI {
        try await self.creation.value
    }

    private static let creation = Task { try await TestPKI.create() }

    private static func create() async throws -> TestPKI {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("slipway-tls-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let pki = TestPKI(directory: directory)
        // A config of our own: the system openssl.cnf may add extensions of its own.
        try """
            [req]
            distinguished_name = subject
            prompt = no
            [subject]
            CN = slipway test CA
            [ca]
            basicConstraints = critical, CA:TRUE
            keyUsage = critical, keyCertSign, cRLSign
            subjectKeyIdentifier = hash
            """.write(toFile: "\(directory)/openssl.cnf", atomically: true, encoding: .utf8)
        try await Self.openssl([
            "req", "-x509", "-config", "openssl.cnf", "-extensions", "ca", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        ], in: directory)
        try await Self.openssl([
            "req", "-new", "-config", "openssl.cnf", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=slipway test server",
        ], in: directory)
        let leaves: [(Leaf, names: String, days: String)] = [
            (.localhost, "DNS:localhost, IP:127.0.0.1", "2"),
            // A negative validity puts notAfter a day before notBefore (now): expired.
            (.expired, "DNS:localhost, IP:127.0.0.1", "-1"),
            (.otherHost, "DNS:other.example, IP:10.9.8.7", "2"),
        ]
        for (serial, (leaf, names, days)) in leaves.enumerated() {
            try """
                basicConstraints = CA:FALSE
                keyUsage = critical, digitalSignature
                extendedKeyUsage = serverAuth
                subjectAltName = \(names)
                authorityKeyIdentifier = keyid
                """.write(toFile: "\(directory)/\(leaf.rawValue).ext", atomically: true, encoding: .utf8)
            try await Self.openssl([
                "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", "\(serial + 2)",
                "-days", days, "-extfile", "\(leaf.rawValue).ext", "-out", "\(leaf.rawValue).pem",
            ], in: directory)
        }
        return pki
    }

    private static func openssl(_ arguments: [String], in directory: String) async throws {
        let result = try await ProcessRunner.run("openssl", arguments, currentDirectory: directory)
        guard result.status == 0 else {
            throw ProcessRunnerError(message: "openssl \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.stderr)")
        }
    }
}
