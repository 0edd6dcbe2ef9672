// slipway — test support
// SPDX-License-Identifier: Apache-2.0

import HTTP
import Logging
import Sockets

/// An event-loop group shared by the tests of one process (threads are cheap to keep, costly to
/// start and join for every test).
public let sharedTestGroup: EventLoopGroup = {
    do {
        return try EventLoopGroup(count: 2, namePrefix: "test-loop")
    } catch {
        fatalError("cannot start the test event loops: \(error)")
    }
}()

/// A client for a server under test. Idle connections are dropped after 4 s, before the
/// server's own 10 s keep-alive timeout can close one just as a request reuses it (a POST
/// that meets a closed connection cannot be sent again).
public func makeTestClient(_ address: SocketAddress) -> HTTPClient {
    var configuration = HTTPClient.Configuration()
    configuration.idleTimeout = .seconds(4)
    // A loaded two-core machine running the whole suite can take a while to answer.
    configuration.headTimeout = .seconds(180)
    return HTTPClient(address: address, group: sharedTestGroup, configuration: configuration)
}

/// A real server on an ephemeral loopback port, for tests that drive it with real clients.
public struct TestServer: Sendable {
    public let server: HTTPServer
    public let port: UInt16
    public let address: SocketAddress

    /// Starts `router` on `127.0.0.1:0` with `configure` applied to the default configuration.
    public static func start(
        router: Router,
        listeners: [SocketAddress] = [.ipv4(host: "127.0.0.1", port: 0)],
        configure: (inout HTTPServerConfiguration) -> Void = { _ in }
    ) async throws -> TestServer {
        var configuration = HTTPServerConfiguration()
        configuration.listeners = listeners
        configure(&configuration)
        var logger = Logger(label: "test-server")
        logger.logLevel = .critical
        let server = HTTPServer(configuration: configuration, router: router, group: sharedTestGroup, logger: logger)
        let addresses = try await server.start()
        return TestServer(server: server, port: addresses[0].port ?? 0, address: addresses[0])
    }

    /// `http://127.0.0.1:PORT`.
    public var baseURL: String { "http://127.0.0.1:\(self.port)" }

    public func shutdown(gracePeriod: Duration = .seconds(2)) async {
        await self.server.shutdown(gracePeriod: gracePeriod)
    }
}

/// Runs `body` against a real server on an ephemeral loopback port and shuts it down — waiting
/// for the shutdown — on every path, as Hummingbird's live test framework does.
public func withTestServer<T>(
    router: Router,
    listeners: [SocketAddress] = [.ipv4(host: "127.0.0.1", port: 0)],
    gracePeriod: Duration = .seconds(2),
    configure: (inout HTTPServerConfiguration) -> Void = { _ in },
    _ body: (TestServer) async throws -> T
) async throws -> T {
    let server = try await TestServer.start(router: router, listeners: listeners, configure: configure)
    do {
        let result = try await body(server)
        await server.shutdown(gracePeriod: gracePeriod)
        return result
    } catch {
        await server.shutdown(gracePeriod: gracePeriod)
        throw error
    }
}
