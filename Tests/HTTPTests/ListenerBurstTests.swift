// slipway — HTTP tests
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import Foundation
import HTTP
import Logging
import Sockets
import TestSupport
import Testing

/// A burst of connections larger than one accept batch, all waiting in the backlog before the
/// loop wakes, must all be served: with edge-triggered delivery the listener would get one
/// wake-up, accept one batch and never hear of the rest.
@Suite("listener under a connection burst")
struct ListenerBurstTests {
    static let client = """
        import selectors, socket, sys, time
        port, count = int(sys.argv[1]), int(sys.argv[2])
        sockets = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(count)]
        selector = selectors.DefaultSelector()
        for s in sockets:
            s.sendall(b"GET /healthz HTTP/1.1\\r\\nHost: t\\r\\nConnection: close\\r\\n\\r\\n")
            selector.register(s, selectors.EVENT_READ)
        answered, deadline = 0, time.monotonic() + 5
        while answered < count and time.monotonic() < deadline:
            for key, _ in selector.select(timeout=max(0, deadline - time.monotonic())):
                if key.fileobj.recv(64).startswith(b"HTTP/1.1 200"):
                    answered += 1
                selector.unregister(key.fileobj)
        print(answered)
        """

    /// Opens `count` keep-alive connections at once, gets one answer on each, and holds them
    /// open for a few seconds.
    static let holdingClient = """
        import socket, sys, time
        port, count = int(sys.argv[1]), int(sys.argv[2])
        sockets = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(count)]
        for s in sockets:
            s.sendall(b"GET /healthz HTTP/1.1\\r\\nHost: t\\r\\n\\r\\n")
        answered = sum(1 for s in sockets if s.recv(64).startswith(b"HTTP/1.1 200"))
        print(answered, flush=True)
        time.sleep(4)
        """

    /// Whichever loop wakes first accepts, up to a batch of 64 at a time; the connections must
    /// still end up spread evenly, or one loop serves a burst alone while the others idle.
    @Test func aBurstIsSpreadEvenlyOverTheLoops() async throws {
        let (server, group) = try await Self.startServer(loops: 2)
        let port = server.localAddresses[0].port ?? 0
        // Loop 0 is busy while the burst lands in the backlog: loop 1 accepts all of it.
        group.loops[0].execute { usleep(300_000) }
        async let client = ProcessRunner.run(ProcessRunner.python, ["-c", Self.holdingClient, "\(port)", "64"])
        _ = try await eventually(timeout: .seconds(10)) { server.openConnections >= 64 }
        let perLoop = server.openConnectionsPerLoop
        let result = try await client
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "64", "\(result.stderr)")
        #expect(perLoop.reduce(0, +) == 64)
        #expect((perLoop.max() ?? 0) - (perLoop.min() ?? 0) <= 1, "connections per loop: \(perLoop)")
        await Self.stop(server, group)
    }

    @Test(arguments: [EventLoop.TriggerMode.edge, .level])
    func everyConnectionOfABurstIsServed(trigger: EventLoop.TriggerMode) async throws {
        let (server, group) = try await Self.startServer(loops: 1, trigger: trigger)
        let port = server.localAddresses[0].port ?? 0
        // Hold the loop while the burst lands in the backlog.
        group.loops[0].execute { usleep(500_000) }
        let result = try await ProcessRunner.run(ProcessRunner.python, ["-c", Self.client, "\(port)", "300"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "300")
        await Self.stop(server, group)
    }

    static func startServer(loops: Int, trigger: EventLoop.TriggerMode = .edge) async throws -> (HTTPServer, EventLoopGroup) {
        let group = try EventLoopGroup(count: loops, triggerMode: trigger)
        var configuration = HTTPServerConfiguration()
        configuration.listeners = [.ipv4(host: "127.0.0.1", port: 0)]
        var logger = Logger(label: "burst")
        logger.logLevel = .critical
        let server = HTTPServer(configuration: configuration, router: makeProbeRouter(), group: group, logger: logger)
        try await server.start()
        return (server, group)
    }

    static func stop(_ server: HTTPServer, _ group: EventLoopGroup) async {
        await server.shutdown(gracePeriod: .seconds(1))
        await group.shutdownGracefully()
    }
}
