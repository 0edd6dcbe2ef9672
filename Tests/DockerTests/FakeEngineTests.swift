// slipway — Docker tests
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import Docker
import Foundation
import HTTP
import Sockets
import Synchronization
import Testing
import TestSupport

/// The client against a scripted engine (slipway's own HTTP server on a Unix socket): version
/// negotiation with engines newer and older than the real test daemon, and failures a real
/// daemon produces only by accident — a stream cut inside a frame, a silent stream, a slow
/// answer.
@Suite("Docker client against a scripted engine")
struct FakeEngineTests {
    /// Paths the fake engine was asked for, in order.
    final class RequestLog: Sendable {
        private let paths = Mutex<[String]>([])
        func record(_ request: HTTPRequest) { self.paths.withLock { $0.append(request.head.target) } }
        var all: [String] { self.paths.withLock { $0 } }
    }

    static func withEngine(apiVersion: String?, configure: (inout Router, RequestLog) -> Void, clientConfiguration: DockerClient.Configuration = DockerClient.Configuration(), _ body: (DockerClient, RequestLog) async throws -> Void) async throws {
        // slipway's server relies on the process ignoring SIGPIPE (as `slipway serve` does):
        // the fake engine writes to clients that the timeout tests disconnect.
        signal(SIGPIPE, SIG_IGN)
        let log = RequestLog()
        var router = Router()
        router.get("/_ping") { request in
            log.record(request)
            var fields: HTTPFields = ["Content-Type": "text/plain; charset=utf-8", "OSType": "linux"]
            if let apiVersion { fields.append(name: "Api-Version", value: apiVersion) }
            return HTTPResponse(status: .ok, fields: fields, body: ResponseBody(string: "OK"))
        }
        configure(&router, log)
        let path = "/tmp/slipway-fake-engine-\(UInt32.random(in: 0...UInt32.max)).sock"
        let server = try await TestServer.start(router: router, listeners: [.unix(path: path)])
        do {
            let client = DockerClient(address: .unix(path: path), group: sharedTestGroup, configuration: clientConfiguration)
            try await body(client, log)
        } catch {
            await server.shutdown(gracePeriod: .milliseconds(100))
            unlink(path)
            throw error
        }
        await server.shutdown(gracePeriod: .milliseconds(100))
        unlink(path)
    }

    static func frame(_ type: UInt8, _ payload: [UInt8]) -> [UInt8] {
        let size = UInt32(payload.count)
        return [type, 0, 0, 0, UInt8(size >> 24), UInt8(size >> 16 & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size & 0xFF)] + payload
    }

    @Test("a newer engine: uses our maximum (1.44) everywhere, checks its minimum once")
    func newerEngine() async throws {
        try await Self.withEngine(apiVersion: "1.45") { router, log in
            router.get("/v1.44/version") { request in
                log.record(request)
                return .json(bytes: Array(#"{"ApiVersion":"1.45","MinAPIVersion":"1.24","Version":"27.0.0"}"#.utf8))
            }
            router.get("/v1.44/volumes") { request in
                log.record(request)
                return .json(bytes: Array(#"{"Volumes":[{"Name":"v1","Driver":"local"}],"Warnings":null}"#.utf8))
            }
        } _: { docker, log in
            // Concurrent first calls share one negotiation.
            async let first = docker.listVolumes()
            async let second = docker.listVolumes()
            let (a, b) = try await (first, second)
            #expect(a.map(\.name) == ["v1"] && b.map(\.name) == ["v1"])
            #expect(docker.negotiatedAPIVersion == DockerAPIVersion(1, 44))
            #expect(log.all.filter { $0 == "/_ping" }.count == 1)
            #expect(log.all.filter { $0.hasPrefix("/v1.44/version") }.count == 1)
            #expect(log.all.allSatisfy { $0 == "/_ping" || $0.hasPrefix("/v1.44/") }, "\(log.all)")
        }
    }

    @Test("an engine below the floor is refused with both versions named")
    func olderEngine() async throws {
        try await Self.withEngine(apiVersion: "1.40") { _, _ in } _: { docker, log in
            do {
                _ = try await docker.listContainers()
                Issue.record("API 1.40 should be refused")
            } catch let error as DockerError {
                #expect(error.code == .unsupportedVersion)
                #expect(error.message.contains("1.40") && error.message.contains("1.41"), "\(error)")
            }
            #expect(log.all == ["/_ping"])
        }
    }

    @Test("an engine whose minimum is above our maximum (Engine 29 style) is refused with its message")
    func engineMinimumTooHigh() async throws {
        try await Self.withEngine(apiVersion: "1.52") { router, _ in
            router.get("/v1.44/version") { _ in
                .json(bytes: Array(#"{"message":"client version 1.44 is too old. Minimum supported API version is 1.46, please upgrade your client to a newer version"}"#.utf8), status: .badRequest)
            }
        } _: { docker, _ in
            do {
                _ = try await docker.apiVersion()
                Issue.record("the engine's minimum is above ours")
            } catch let error as DockerError {
                #expect(error.code == .unsupportedVersion)
                #expect(error.message.contains("Minimum supported API version is 1.46"))
            }
        }
    }

    @Test("a pull's failure inside its 200 stream is thrown with the engine's message; the tag is always sent")
    func pullErrorInStream() async throws {
        try await Self.withEngine(apiVersion: "1.41") { router, log in
            router.post("/v1.41/images/create") { request in
                log.record(request)
                return HTTPResponse(status: .ok, fields: ["Content-Type": "application/json"], body: .stream { writer in
                    try await writer.write("{\"status\":\"Pulling from team/app\",\"id\":\"latest\"}\r\n")
                    try await writer.write("{\"status\":\"Pulling fs layer\",\"progressDetail\":{},\"id\":\"a1\"}\r\n{\"errorDetail\":{\"message\":\"manifest for team/app:latest not found\"},")
                    try await writer.write("\"error\":\"manifest for team/app:latest not found\"}\r\n")
                })
            }
        } _: { docker, log in
            var statuses: [String] = []
            do {
                try await docker.pullImage("team/app", auth: RegistryAuth(username: "u", password: "p", serverAddress: "registry.example")).waitUntilFinished { statuses.append($0.status ?? "") }
                Issue.record("the pull should fail")
            } catch let error as DockerError {
                #expect(error.code == .operationFailed)
                #expect(error.message == "manifest for team/app:latest not found")
                #expect(error.description.contains("POST /v1.41/images/create"))
            }
            #expect(statuses == ["Pulling from team/app", "Pulling fs layer"])
            #expect(log.all.last?.contains("fromImage=team%2Fapp&tag=latest") == true, "\(log.all)")
        }
    }

    @Test("a log stream cut inside a frame is an error, whether the body ends or the connection breaks")
    func cutInsideFrame() async throws {
        try await Self.withEngine(apiVersion: "1.41") { router, _ in
            let partial = Self.frame(1, Array("complete line\n".utf8)) + Array(Self.frame(2, Array("cut off here".utf8)).prefix(13))
            router.get("/v1.41/containers/ended/logs") { _ in
                // The body ends cleanly (last chunk sent) but in the middle of a frame.
                HTTPResponse(status: .ok, body: .stream { writer in try await writer.write(partial) })
            }
            router.get("/v1.41/containers/broken/logs") { _ in
                // The engine dies: the connection closes in the middle of the chunked body.
                HTTPResponse(status: .ok, body: .stream { writer in
                    try await writer.write(partial)
                    try await Task.sleep(for: .milliseconds(50))
                    throw CancellationError()
                })
            }
        } _: { docker, _ in
            for (id, message) in [("ended", "bytes before the end of a frame"), ("broken", "broke in the middle of the response")] {
                let logs = try await docker.logs(id, options: LogOptions(follow: true), tty: false)
                var received: [DockerOutputChunk] = []
                do {
                    for try await chunk in logs { received.append(chunk) }
                    Issue.record("\(id): a stream cut inside a frame must not end cleanly")
                } catch let error as DockerError {
                    #expect(error.code == .streamFailed, "\(id): \(error)")
                    #expect(error.description.contains(message), "\(id): \(error)")
                    #expect(error.description.contains("GET /v1.41/containers/\(id)/logs"), "\(id): \(error)")
                }
                #expect(received.first == DockerOutputChunk(stream: .stdout, bytes: Array("complete line\n".utf8)), "\(id)")
            }
        }
    }

    @Test("a stream that goes silent fails after its idle timeout; a slow answer after the request timeout")
    func timeouts() async throws {
        var configuration = DockerClient.Configuration()
        // Timeouts well above a loaded machine's scheduling delays (a full parallel run starts
        // dozens of servers on two cores: 3 s was once not enough for the first frame), well
        // below the engine's 300 s; and no /_ping first, which would run under the same timeout.
        configuration.requestTimeout = .seconds(10)
        configuration.apiVersion = DockerAPIVersion(1, 41)
        try await Self.withEngine(apiVersion: "1.41", configure: { router, _ in
            router.get("/v1.41/containers/quiet/logs") { _ in
                HTTPResponse(status: .ok, body: .stream { writer in
                    try await writer.write(Self.frame(1, Array("hello\n".utf8)))
                    try await Task.sleep(for: .seconds(300))
                })
            }
            router.get("/v1.41/containers/slow/json") { _ in
                try await Task.sleep(for: .seconds(300))
                return .json(bytes: Array("{}".utf8))
            }
        }, clientConfiguration: configuration) { docker, _ in
            let logs = try await docker.logs("quiet", options: LogOptions(follow: true, idleTimeout: .seconds(10)), tty: false)
            let first = try await logs.next()
            #expect(first?.bytes == Array("hello\n".utf8))
            let started = ContinuousClock.now
            do {
                _ = try await logs.next()
                Issue.record("a silent stream must time out")
            } catch let error as DockerError {
                #expect(error.code == .timedOut)
            }
            #expect(ContinuousClock.now - started < .seconds(150), "the stream was cut at its 10 s idle timeout, not when the engine answered after 300 s")

            do {
                _ = try await docker.inspectContainer("slow")
                Issue.record("a slow answer must time out")
            } catch let error as DockerError {
                #expect(error.code == .timedOut)
            }
        }
    }

    @Test("no daemon at the address: daemonUnavailable naming the socket")
    func noDaemon() async throws {
        let path = "/tmp/slipway-no-engine-\(UInt32.random(in: 0...UInt32.max)).sock"
        let docker = DockerClient(address: .unix(path: path), group: sharedTestGroup)
        do {
            _ = try await docker.ping()
            Issue.record("there is no daemon")
        } catch {
            #expect(error.code == .daemonUnavailable)
            #expect(error.message.contains("unix://\(path)"))
        }
        do {
            _ = try await docker.listContainers()
            Issue.record("there is no daemon")
        } catch {
            #expect(error.code == .daemonUnavailable)
        }
    }
}
