// slipway — Sockets tests
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import Sockets
import TestSupport
import Testing

@Suite("async sockets")
struct AsyncSocketTests {
    /// A fresh Unix socket path for a test listener.
    static func freshPath() -> String {
        "/tmp/slipway-sockets-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
    }

    @Test func connectsWritesAndReads() async throws {
        let path = Self.freshPath()
        let listener = try Socket.listening(on: .unix(path: path))
        defer { unlink(path) }
        let client = try await AsyncSocket.connect(to: .unix(path: path), on: sharedTestGroup.next())
        guard case .processed(let accepted) = try listener.accept() else {
            Issue.record("no connection to accept")
            return
        }
        let server = Socket(adopting: accepted)
        try await client.write(Array("ping".utf8))
        var buffer = [UInt8](repeating: 0, count: 16)
        var count: IOResult<Int> = .wouldBlock
        try await waitUntil("the bytes at the server") {
            count = buffer.withUnsafeMutableBytes { raw in (try? server.read(into: raw)) ?? .wouldBlock }
            return count != .wouldBlock
        }
        #expect(count == .processed(4))
        _ = Array("pong".utf8).withUnsafeBytes { try? server.write($0) }
        #expect(try await client.read() == Array("pong".utf8))
        server.close()
        #expect(try await client.read().isEmpty)
        client.close()
    }

    /// Closing twice must close the descriptor once: a second close(2) of the number would hit
    /// a newer socket that got it, or stop the loop thread on EBADF (the precondition in
    /// `Posix.close`), which ends this test process.
    @Test func closingTwiceClosesTheDescriptorOnce() async throws {
        let path = Self.freshPath()
        let listener = try Socket.listening(on: .unix(path: path))
        defer { unlink(path) }
        let loop = sharedTestGroup.next()
        let first = try await AsyncSocket.connect(to: .unix(path: path), on: loop)
        first.close()
        first.close()
        // A round trip through the loop: whatever the closes queued there has run.
        await withCheckedContinuation { continuation in loop.execute { continuation.resume() } }
        // The loop is still alive and serves a new connection.
        let second = try await AsyncSocket.connect(to: .unix(path: path), on: loop)
        _ = try listener.accept()
        guard case .processed(let accepted) = try listener.accept() else {
            Issue.record("no second connection to accept")
            return
        }
        let server = Socket(adopting: accepted)
        _ = Array("yes".utf8).withUnsafeBytes { try? server.write($0) }
        let answer = try await second.read(deadline: Instant.now() + .seconds(2))
        #expect(answer == Array("yes".utf8))
        server.close()
        second.close()
    }

    @Test func aReadTimesOutAtItsDeadline() async throws {
        let path = Self.freshPath()
        let listener = try Socket.listening(on: .unix(path: path))
        defer { unlink(path) }
        let client = try await AsyncSocket.connect(to: .unix(path: path), on: sharedTestGroup.next())
        _ = listener.descriptor
        let started = ContinuousClock.now
        await #expect(throws: AsyncSocket.Failure.timedOut(operation: "read")) {
            _ = try await client.read(deadline: Instant.now() + .milliseconds(100))
        }
        #expect(ContinuousClock.now - started >= .milliseconds(100))
        client.close()
    }

    @Test func aReadEndsWhenTheTaskIsCancelled() async throws {
        let path = Self.freshPath()
        let listener = try Socket.listening(on: .unix(path: path))
        defer { unlink(path) }
        let client = try await AsyncSocket.connect(to: .unix(path: path), on: sharedTestGroup.next())
        _ = listener.descriptor
        let task = Task { try await client.read() }
        // Usually parked by now; cancelled before it parks, the read throws the same.
        try await Task.sleep(for: .milliseconds(50))
        task.cancel()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
        client.close()
    }

    @Test func closingWakesAWaitingReader() async throws {
        let path = Self.freshPath()
        let listener = try Socket.listening(on: .unix(path: path))
        defer { unlink(path) }
        let client = try await AsyncSocket.connect(to: .unix(path: path), on: sharedTestGroup.next())
        _ = listener.descriptor
        let task = Task { try await client.read() }
        // Usually parked by now; closed before it parks, the read throws the same.
        try await Task.sleep(for: .milliseconds(50))
        client.close()
        await #expect(throws: AsyncSocket.Failure.closed) { _ = try await task.value }
    }

    @Test func connectingToNothingFailsWithTheErrno() async throws {
        await #expect(throws: SystemError.self) {
            _ = try await AsyncSocket.connect(to: .unix(path: "/tmp/slipway-nothing-here-\(getpid()).sock"), on: sharedTestGroup.next())
        }
        do {
            _ = try await AsyncSocket.connect(to: .ipv4(host: "127.0.0.1", port: 1), on: sharedTestGroup.next())
            Issue.record("connected to port 1")
        } catch let error as SystemError {
            #expect(error.errno == ECONNREFUSED)
        }
    }
}
