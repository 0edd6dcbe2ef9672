// slipway — HTTP tests
// SPDX-License-Identifier: Apache-2.0

import Foundation
import HTTP
import Sockets
import Synchronization
import TestSupport
import Testing

/// The routes the live tests and `Tests/python/http1_probe.py` expect; `slowRequests` counts
/// `/slow` handlers running, so a test can act once one is in flight.
func makeProbeRouter(slowRequests: InFlight = InFlight()) -> Router {
    var router = Router()
    let healthy = HTTPResponse.json(bytes: Array(#"{"status":"ok"}"#.utf8))
    router.get("/healthz", immediate: { _ in healthy })
    router.on(.post, "/echo", bodyLimit: 4 * 1024 * 1024, immediate: { request in
        HTTPResponse(status: .ok, fields: ["Content-Type": "application/octet-stream"], body: ResponseBody(bytes: request.body))
    })
    router.get("/big") { request in
        let size = Int(request.query("size") ?? "") ?? 1024
        return HTTPResponse(status: .ok, fields: ["Content-Type": "application/octet-stream"], body: ResponseBody(bytes: [UInt8](repeating: 0x61, count: size)))
    }
    router.get("/slow") { request in
        let milliseconds = Int(request.query("ms") ?? "") ?? 500
        slowRequests.enter()
        defer { slowRequests.leave() }
        try await Task.sleep(for: .milliseconds(milliseconds))
        return .text("slept \(milliseconds) ms")
    }
    router.get("/stream") { request in
        let chunks = Int(request.query("chunks") ?? "") ?? 10
        return HTTPResponse(status: .ok, fields: ["Content-Type": "text/plain"], body: .stream { writer in
            for index in 0..<chunks {
                try await writer.write("line \(index)\n")
            }
        })
    }
    router.get("/params/{name}") { request in .text(request.parameters["name"] ?? "") }
    // Compressible bodies for the gzip checks: `{"items":["item 0",…]}` of at least `size` bytes.
    router.get("/json", immediate: { request in
        let size = Int(request.query("size") ?? "") ?? 1000
        var bytes = Array(#"{"items":["item 0""#.utf8)
        var index = 1
        while bytes.count < size {
            bytes.append(contentsOf: Array(#","item \#(index)""#.utf8))
            index += 1
        }
        bytes.append(contentsOf: Array("]}".utf8))
        return .json(bytes: bytes)
    })
    router.get("/events") { request in
        let count = Int(request.query("count") ?? "") ?? 5
        let milliseconds = Int(request.query("ms") ?? "") ?? 50
        return HTTPResponse(status: .ok, fields: ["Content-Type": "text/event-stream"], body: .stream { writer in
            for index in 0..<count {
                try await writer.write("event \(index)\n")
                try await Task.sleep(for: .milliseconds(milliseconds))
            }
        })
    }
    // A body that never ends, counting what its producer managed to write.
    let written = ProducedBytes()
    router.get("/infinite") { _ in
        HTTPResponse(status: .ok, fields: ["Content-Type": "application/octet-stream"], body: .stream { writer in
            let chunk = [UInt8](repeating: 0x7A, count: 16 * 1024)
            while true {
                try await writer.write(chunk)
                written.add(chunk.count)
            }
        })
    }
    router.get("/infinite-count", immediate: { _ in .text("\(written.value)") })
    return router
}

/// Handlers running now.
final class InFlight: Sendable {
    private let count = Atomic<Int>(0)
    func enter() { self.count.add(1, ordering: .relaxed) }
    func leave() { self.count.subtract(1, ordering: .relaxed) }
    var value: Int { self.count.load(ordering: .relaxed) }
}

/// Bytes a streaming producer has written so far.
final class ProducedBytes: Sendable {
    private let count = Atomic<Int>(0)
    func add(_ bytes: Int) { self.count.add(bytes, ordering: .relaxed) }
    var value: Int { self.count.load(ordering: .relaxed) }
}

@Suite("HTTP/1.1 server, live", .serialized)
struct HTTPServerLiveTests {
    @Test func servesCurl() async throws {
        try await withTestServer(router: makeProbeRouter()) { server in
            let result = try await ProcessRunner.run("curl", ["-sS", "-i", "\(server.baseURL)/healthz"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(result.stdout.contains("Content-Type: application/json\r\n"))
            #expect(result.stdout.hasSuffix("\r\n\r\n{\"status\":\"ok\"}"))

            let upload = [UInt8](repeating: 0x62, count: 1_100_000)  // curl sends Expect: 100-continue above 1 MiB
            let echoed = try await ProcessRunner.run("curl", ["-sS", "--data-binary", "@-", "-H", "Content-Type: application/octet-stream", "\(server.baseURL)/echo"], input: upload)
            #expect(echoed.status == 0, "\(echoed.stderr)")
            #expect(echoed.stdoutBytes == upload)

            let chunked = try await ProcessRunner.run("curl", ["-sS", "-H", "Transfer-Encoding: chunked", "--data-binary", "@-", "\(server.baseURL)/echo"], input: Array("chunked upload".utf8))
            #expect(chunked.stdout == "chunked upload")

            let streamed = try await ProcessRunner.run("curl", ["-sS", "-N", "\(server.baseURL)/stream?chunks=3"])
            #expect(streamed.stdout == "line 0\nline 1\nline 2\n")
        }
    }

    @Test func servesIPv6AndUnixSockets() async throws {
        let path = "/tmp/slipway-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        try await withTestServer(router: makeProbeRouter(), listeners: [.ipv6(host: "::1", port: 0), .unix(path: path)]) { server in
            let overIPv6 = try await ProcessRunner.run("curl", ["-sS", "-g", "http://[::1]:\(server.port)/healthz"])
            #expect(overIPv6.stdout == #"{"status":"ok"}"#, "\(overIPv6.stderr)")
            let overUnix = try await ProcessRunner.run("curl", ["-sS", "--unix-socket", path, "http://localhost/params/a%20b"])
            #expect(overUnix.stdout == "a b", "\(overUnix.stderr)")
        }
    }

    @Test func passesTheConformanceTable() async throws {
        try await withTestServer(router: makeProbeRouter()) { server in
            let result = try await ProcessRunner.run(ProcessRunner.python, ["\(ProcessRunner.repositoryRoot)/Tests/python/http1_probe.py", "conformance", "--port", "\(server.port)"])
            #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        }
    }

    @Test func servesOrdinaryPythonClients() async throws {
        try await withTestServer(router: makeProbeRouter()) { server in
            let result = try await ProcessRunner.run(ProcessRunner.python, ["\(ProcessRunner.repositoryRoot)/Tests/python/http1_probe.py", "clients", "--port", "\(server.port)"])
            #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        }
    }

    @Test func handlesAThousandConcurrentKeepAliveConnections() async throws {
        try await withTestServer(router: makeProbeRouter()) { server in
            let result = try await ProcessRunner.run(ProcessRunner.python, ["\(ProcessRunner.repositoryRoot)/Tests/python/http1_probe.py", "concurrency", "--port", "\(server.port)", "--connections", "1000"])
            #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        }
    }

    @Test func answersSlowlorisWith408AtTheDeadline() async throws {
        try await withTestServer(router: makeProbeRouter(), configure: { $0.headerTimeout = .seconds(1) }) { server in
            let result = try await ProcessRunner.run(ProcessRunner.python, ["\(ProcessRunner.repositoryRoot)/Tests/python/http1_probe.py", "slowloris", "--port", "\(server.port)", "--deadline", "1.0"])
            #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        }
    }

    @Test func aClientThatNeverReadsStallsNoOne() async throws {
        try await withTestServer(router: makeProbeRouter(), configure: { $0.writeStallTimeout = .seconds(3) }) { server in
            let result = try await ProcessRunner.run(ProcessRunner.python, ["\(ProcessRunner.repositoryRoot)/Tests/python/http1_probe.py", "non-reader", "--port", "\(server.port)"])
            #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        }
    }

    @Test func closesIdleConnectionsAndRefusesOverTheLimitPolitely() async throws {
        try await withTestServer(router: makeProbeRouter(), configure: {
            $0.idleTimeout = .milliseconds(300)
            $0.maxConnections = 2
        }) { server in
            let first = try await AsyncSocket.connect(to: server.address, on: sharedTestGroup.next())
            let second = try await AsyncSocket.connect(to: server.address, on: sharedTestGroup.next())
            let third = try await AsyncSocket.connect(to: server.address, on: sharedTestGroup.next())
            // The third connection is over the limit: it gets a 503 and end-of-stream, not silence.
            let refused = try await readAll(third, deadline: .seconds(3))
            #expect(String(decoding: refused, as: UTF8.self).hasPrefix("HTTP/1.1 503 Service Unavailable\r\n"))
            // The first two sit idle and are closed after the idle timeout without a response.
            for socket in [first, second] {
                try await socket.write(Array("GET /healthz HTTP/1.1\r\nHost: h\r\n\r\n".utf8))
                let started = ContinuousClock.now
                let bytes = try await readAll(socket, deadline: .seconds(3))
                #expect(String(decoding: bytes, as: UTF8.self).hasPrefix("HTTP/1.1 200 OK"))
                #expect(ContinuousClock.now - started >= .milliseconds(250))
            }
        }
    }

    @Test func finishesInFlightRequestsOnGracefulShutdown() async throws {
        let slowRequests = InFlight()
        let server = try await TestServer.start(router: makeProbeRouter(slowRequests: slowRequests))
        let client = HTTPClient(address: server.address, group: sharedTestGroup)
        let idle = try await AsyncSocket.connect(to: server.address, on: sharedTestGroup.next())
        async let slow = client.collect(HTTPClientRequest(target: "/slow?ms=700"))
        try await waitUntil("the slow request in its handler") { slowRequests.value == 1 }
        let started = ContinuousClock.now
        await server.shutdown(gracePeriod: .seconds(120))
        let elapsed = ContinuousClock.now - started
        let (head, body) = try await slow
        #expect(head.status.code == 200)
        #expect(String(decoding: body, as: UTF8.self) == "slept 700 ms")
        #expect(head.fields["Connection"] == "close")
        #expect(elapsed < .seconds(60), "shutdown waited for the 0.7 s request, not for its 120 s grace period")
        // The idle keep-alive connection was closed at once.
        #expect(try await readAll(idle, deadline: .seconds(1)).isEmpty)
        // Nothing listens any more.
        await #expect(throws: (any Error).self) { try await AsyncSocket.connect(to: server.address, on: sharedTestGroup.next()) }
    }

    @Test func clientReusesKeepAliveConnectionsAndStreams() async throws {
        try await withTestServer(router: makeProbeRouter()) { server in
            let client = HTTPClient(address: server.address, group: sharedTestGroup)
            for index in 0..<20 {
                let body = Array("request \(index)".utf8)
                let (head, echoed) = try await client.collect(HTTPClientRequest(method: .post, target: "/echo", body: .bytes(body)))
                #expect(head.status.code == 200)
                #expect(echoed == body)
            }
            #expect(server.server.openConnections == 1)
            let response = try await client.execute(HTTPClientRequest(target: "/stream?chunks=5"))
            var lines: [String] = []
            for try await piece in response { lines.append(String(decoding: piece, as: UTF8.self)) }
            #expect(lines.joined() == (0..<5).map { "line \($0)\n" }.joined())
            let streamedUpload = try await client.collect(HTTPClientRequest(method: .post, target: "/echo", body: .stream(length: nil) { writer in
                for index in 0..<100 { try await writer.write(Array("\(index),".utf8)) }
            }))
            #expect(String(decoding: streamedUpload.body, as: UTF8.self) == (0..<100).map { "\($0)," }.joined())
            let big = try await client.collect(HTTPClientRequest(target: "/big?size=5000000"), limit: 10_000_000)
            #expect(big.body.count == 5_000_000)
        }
    }

    @Test func clientReportsAServerThatIsNotThere() async throws {
        let client = HTTPClient(address: .unix(path: "/tmp/slipway-no-such-socket-\(getpid())"), group: sharedTestGroup)
        do {
            _ = try await client.execute(HTTPClientRequest(target: "/_ping"))
            Issue.record("expected an error")
        } catch let error as HTTPClientError {
            #expect(error.code == .connectFailed)
            #expect("\(error)".contains("No such file or directory"))
        }
    }

    @Test func clientTimesOutInsteadOfHanging() async throws {
        try await withTestServer(router: makeProbeRouter()) { server in
            let client = HTTPClient(address: server.address, group: sharedTestGroup)
            let started = ContinuousClock.now
            do {
                _ = try await client.execute(HTTPClientRequest(target: "/slow?ms=300000"), headTimeout: .milliseconds(300))
                Issue.record("expected a timeout")
            } catch let error as HTTPClientError {
                #expect(error.code == .timedOut)
            }
            // Far below the 300 s answer, with room for a loaded two-core machine.
            #expect(ContinuousClock.now - started < .seconds(60))
        }
    }
}

/// Reads until end-of-stream or `deadline`.
func readAll(_ socket: AsyncSocket, deadline: Duration) async throws -> [UInt8] {
    var bytes: [UInt8] = []
    let end = Instant.now() + deadline
    while true {
        let piece: [UInt8]
        do {
            piece = try await socket.read(deadline: end)
        } catch AsyncSocket.Failure.timedOut {
            return bytes
        } catch let error as SystemError where error.errno == ECONNRESET {
            return bytes
        }
        if piece.isEmpty { return bytes }
        bytes.append(contentsOf: piece)
    }
}
