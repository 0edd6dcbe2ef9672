// slipway — HTTP tests
// SPDX-License-Identifier: Apache-2.0

import Foundation
import HTTP
import Sockets
import TestSupport
import Testing

/// A raw-frame case of `Tests/python/h2_probe.py` and the server settings it needs.
struct H2ProbeCase: Sendable, CustomTestStringConvertible {
    enum Setup: Sendable {
        case defaults
        /// Write-stall timeout of 2 s (a response the client never opens a window for).
        case shortWriteStall
        /// Idle timeout of 500 ms.
        case shortIdle
        /// A server reset budget of 20 (so the case runs fast).
        case smallResetBudget
    }

    var check: String
    var arguments: [String] = []
    var setup: Setup = .defaults

    var testDescription: String { self.check }

    func configure(_ configuration: inout HTTPServerConfiguration) {
        switch self.setup {
        case .defaults: break
        case .shortWriteStall: configuration.writeStallTimeout = .seconds(2)
        case .shortIdle: configuration.idleTimeout = .milliseconds(500)
        case .smallResetBudget:
            configuration.http2.sentResetBurst = 20
            configuration.http2.sentResetRate = 1
        }
    }

    static let all: [H2ProbeCase] = [
        H2ProbeCase(check: "max-streams"),
        H2ProbeCase(check: "header-budget"),
        H2ProbeCase(check: "rapid-reset"),
        H2ProbeCase(check: "continuation"),
        H2ProbeCase(check: "server-resets", arguments: ["--count", "60"], setup: .smallResetBudget),
        H2ProbeCase(check: "server-resets"),
        H2ProbeCase(check: "settings-flood"),
        H2ProbeCase(check: "zero-window", arguments: ["--deadline", "2"], setup: .shortWriteStall),
        H2ProbeCase(check: "backpressure"),
        H2ProbeCase(check: "backpressure-connection"),
        H2ProbeCase(check: "non-reader", arguments: ["--deadline", "2"], setup: .shortWriteStall),
        H2ProbeCase(check: "idle", arguments: ["--deadline", "0.5"], setup: .shortIdle),
        H2ProbeCase(check: "upgrade"),
        H2ProbeCase(check: "gzip"),
    ]
}

@Suite("HTTP/2 and gzip, live", .serialized)
struct HTTP2LiveTests {
    static let probe = "\(ProcessRunner.repositoryRoot)/Tests/python/h2_probe.py"

    @Test(arguments: H2ProbeCase.all)
    func rawFrameCase(_ probeCase: H2ProbeCase) async throws {
        try await withTestServer(router: makeProbeRouter(), configure: { probeCase.configure(&$0) }) { server in
            let result = try await ProcessRunner.run(ProcessRunner.python, [Self.probe, probeCase.check, "--port", "\(server.port)"] + probeCase.arguments)
            #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        }
    }

    @Test func servesCurlWithPriorKnowledge() async throws {
        try await withTestServer(router: makeProbeRouter()) { server in
            let health = try await ProcessRunner.run("curl", ["-sS", "--http2-prior-knowledge", "-w", "\n%{http_version} %{response_code}", "\(server.baseURL)/healthz"])
            #expect(health.stdout == "{\"status\":\"ok\"}\n2 200", "\(health.stderr)")

            let upload = (0..<1_100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            let echoed = try await ProcessRunner.run("curl", ["-sS", "--http2-prior-knowledge", "--data-binary", "@-", "-H", "Content-Type: application/octet-stream", "\(server.baseURL)/echo"], input: upload)
            #expect(echoed.status == 0, "\(echoed.stderr)")
            #expect(echoed.stdoutBytes == upload)

            let streamed = try await ProcessRunner.run("curl", ["-sS", "-N", "--http2-prior-knowledge", "\(server.baseURL)/stream?chunks=3"])
            #expect(streamed.stdout == "line 0\nline 1\nline 2\n")

            // Far beyond the 64 KiB windows: flow control and the data provider carry it.
            let big = try await ProcessRunner.run("curl", ["-sS", "--http2-prior-knowledge", "\(server.baseURL)/big?size=5000000"])
            #expect(big.stdoutBytes.count == 5_000_000 && big.stdoutBytes.allSatisfy { $0 == 0x61 })

        }
    }

    @Test func upgradesCurlAndKeepsBodiesOnHTTP1() async throws {
        try await withTestServer(router: makeProbeRouter()) { server in
            let upgraded = try await ProcessRunner.run("curl", ["-sS", "-v", "--http2", "-w", "\n%{http_version}", "\(server.baseURL)/healthz"])
            #expect(upgraded.stderr.contains("101 Switching Protocols"), "\(upgraded.stderr)")
            #expect(upgraded.stdout == "{\"status\":\"ok\"}\n2")
            let head = try await ProcessRunner.run("curl", ["-sS", "-I", "--http2", "\(server.baseURL)/healthz"])
            #expect(head.stdout.hasPrefix("HTTP/1.1 101 Switching Protocols") && head.stdout.contains("HTTP/2 200"), "\(head.stdout)")
            // curl offers the upgrade with a body too; a body means HTTP/1.1.
            let post = try await ProcessRunner.run("curl", ["-sS", "--http2", "--data-binary", "abc", "-w", "\n%{http_version}", "\(server.baseURL)/echo"])
            #expect(post.stdout == "abc\n1.1", "\(post.stderr)")
        }
    }

    @Test func upgradeAndPriorKnowledgeCanBeSwitchedOff() async throws {
        try await withTestServer(router: makeProbeRouter(), configure: {
            $0.http2.upgrade = false
            $0.http2.priorKnowledge = false
        }) { server in
            let offered = try await ProcessRunner.run("curl", ["-sS", "--http2", "-w", "\n%{http_version}", "\(server.baseURL)/healthz"])
            #expect(offered.stdout == "{\"status\":\"ok\"}\n1.1")
            let prior = try await ProcessRunner.run("curl", ["-sS", "--http2-prior-knowledge", "\(server.baseURL)/healthz"])
            #expect(prior.status != 0)
            let plain = try await ProcessRunner.run("curl", ["-sS", "\(server.baseURL)/healthz"])
            #expect(plain.stdout == "{\"status\":\"ok\"}")
        }
    }

    @Test func nghttpSeesOurSettingsAndStreams() async throws {
        try await withTestServer(router: makeProbeRouter()) { server in
            let result = try await ProcessRunner.run("nghttp", ["-v", "-n", "\(server.baseURL)/healthz", "\(server.baseURL)/json?size=20000", "\(server.baseURL)/stream?chunks=4"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("[SETTINGS_MAX_CONCURRENT_STREAMS(0x03):100]"))
            #expect(result.stdout.contains("[SETTINGS_MAX_HEADER_LIST_SIZE(0x06):32768]"))
            // nghttp asks for gzip: the large JSON comes compressed, the health check does not.
            #expect(result.stdout.contains("content-encoding: gzip"))
            #expect(result.stdout.contains("vary: Accept-Encoding"))
            #expect(result.stdout.components(separatedBy: ":status: 200").count == 4)

            let upload = try await ProcessRunner.run("nghttp", ["-d", "-", "\(server.baseURL)/echo"], input: Array("hello over nghttp".utf8))
            #expect(upload.stdout == "hello over nghttp", "\(upload.stderr)")
        }
    }

    @Test func h2loadCompletesEveryRequest() async throws {
        try await withTestServer(router: makeProbeRouter()) { server in
            for streams in [1, 10, 100] {
                let result = try await ProcessRunner.run("h2load", ["-n", "20000", "-c", "8", "-m", "\(streams)", "\(server.baseURL)/healthz"])
                #expect(result.stdout.contains("20000 succeeded, 0 failed, 0 errored, 0 timeout"), "\(result.stdout)")
            }
            let mixed = try await ProcessRunner.run("h2load", ["-n", "2000", "-c", "4", "-m", "20", "\(server.baseURL)/slow?ms=5", "\(server.baseURL)/json?size=5000", "\(server.baseURL)/stream?chunks=5"])
            #expect(mixed.stdout.contains("2000 succeeded, 0 failed"), "\(mixed.stdout)")
        }
    }

    @Test func curlCompressedOnBothProtocols() async throws {
        try await withTestServer(router: makeProbeRouter()) { server in
            let reference = try await ProcessRunner.run("curl", ["-sS", "\(server.baseURL)/json?size=100000"])
            #expect(reference.stdoutBytes.count >= 100_000)
            for protocolFlag in ["--http1.1", "--http2-prior-knowledge"] {
                let result = try await ProcessRunner.run("curl", ["-sS", protocolFlag, "--compressed", "-D", "/dev/stderr", "\(server.baseURL)/json?size=100000"])
                #expect(result.stdoutBytes == reference.stdoutBytes, "\(protocolFlag)")
                #expect(result.stderr.lowercased().contains("content-encoding: gzip"), "\(protocolFlag): \(result.stderr)")
                #expect(result.stderr.lowercased().contains("vary: accept-encoding"), "\(protocolFlag)")
                let streamed = try await ProcessRunner.run("curl", ["-sS", "-N", protocolFlag, "--compressed", "\(server.baseURL)/events?count=3&ms=10"])
                #expect(streamed.stdout == "event 0\nevent 1\nevent 2\n", "\(protocolFlag)")
            }
        }
    }

    @Test func gracefulShutdownSendsGoawayAndFinishesStreams() async throws {
        let slowRequests = InFlight()
        let server = try await TestServer.start(router: makeProbeRouter(slowRequests: slowRequests))
        async let probe = ProcessRunner.run(ProcessRunner.python, [Self.probe, "shutdown", "--port", "\(server.port)"])
        // The client's slow request is in its handler (on a loaded machine Python takes a
        // while to start).
        try await waitUntil("the slow request in its handler", timeout: .seconds(30)) { slowRequests.value >= 1 }
        let started = ContinuousClock.now
        await server.shutdown(gracePeriod: .seconds(120))
        let elapsed = ContinuousClock.now - started
        let result = try await probe
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(elapsed < .seconds(60), "the streams finished; the 120 s grace period did not run out")
    }

    @Test func manyConcurrentConnectionsAndStreams() async throws {
        try await withTestServer(router: makeProbeRouter()) { server in
            let result = try await ProcessRunner.run("h2load", ["-n", "40000", "-c", "200", "-m", "50", "\(server.baseURL)/healthz"])
            #expect(result.stdout.contains("40000 succeeded, 0 failed"), "\(result.stdout)")
        }
    }
}
