// slipway — HTTP tests
// SPDX-License-Identifier: Apache-2.0

import Foundation
import HTTP
import Sockets
import Testing
import TestSupport

/// A pooled keep-alive connection that the server has closed must neither lose a request nor
/// send a non-idempotent one twice. A scripted server (Python, over TCP: a write to a closed
/// Unix socket fails at once, over TCP it succeeds and the loss shows only later) answers the
/// first request on a connection and then, depending on the mode, closes the connection 0.1 s
/// later (`idle-close`) or reads the second request and closes without answering it (`drop-second`);
/// requests on later connections are answered. It prints every request line it received.
@Suite("HTTP client: reusing pooled connections")
struct HTTPClientReuseTests {
    static let server = """
        import os, socket, sys, time
        mode, path = sys.argv[1], sys.argv[2]
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        with open(path + ".tmp", "w") as port:
            port.write(str(listener.getsockname()[1]))
        os.rename(path + ".tmp", path)
        listener.settimeout(10)

        def request(connection, buffered):
            while b"\\r\\n\\r\\n" not in buffered:
                chunk = connection.recv(65536)
                if not chunk:
                    return None, b""
                buffered += chunk
            head, rest = buffered.split(b"\\r\\n\\r\\n", 1)
            length = 0
            for line in head.split(b"\\r\\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            while len(rest) < length:
                rest += connection.recv(65536)
            return head.split(b"\\r\\n")[0].decode(), rest[length:]

        def answer(connection, text):
            connection.sendall(b"HTTP/1.1 200 OK\\r\\nContent-Length: %d\\r\\n\\r\\n%s" % (len(text), text))

        first_connection, done = True, False
        while not done:
            connection, _ = listener.accept()
            buffered, index = b"", 0
            while True:
                line, buffered = request(connection, buffered)
                if line is None:
                    break
                print(line, flush=True)
                index += 1
                if line.startswith("GET /done"):
                    answer(connection, b"bye")
                    done = True
                    break
                if first_connection and mode == "drop-second" and index == 2:
                    break
                answer(connection, b"ok")
                if first_connection and mode == "idle-close":
                    time.sleep(0.1)  # the client is done with the answer: the close finds it idle
                    break
            connection.close()
            if first_connection:
                open(path + ".closed", "w").close()
            first_connection = False
        """

    /// Starts the scripted server (it writes its port to a file), runs `body` with a client for it, asks the server to stop
    /// and returns the request lines it saw.
    static func withScriptedServer(_ mode: String, _ body: (HTTPClient, _ firstConnectionClosed: String) async throws -> Void) async throws -> [String] {
        let directory = NSTemporaryDirectory() + "slipway-reuse-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/s"
        async let server = ProcessRunner.run(ProcessRunner.python, ["-c", Self.server, mode, path])
        try await waitUntil("the scripted server's port") { FileManager.default.fileExists(atPath: path) }
        let port = try #require(UInt16(try String(contentsOfFile: path, encoding: .utf8)))
        let client = HTTPClient(address: .ipv4(host: "127.0.0.1", port: port), group: sharedTestGroup)
        do {
            try await body(client, "\(path).closed")
        } catch {
            _ = try? await client.collect(HTTPClientRequest(target: "/done"))
            _ = try await server
            throw error
        }
        _ = try await client.collect(HTTPClientRequest(target: "/done"))
        let result = try await server
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout.split(separator: "\n").map(String.init)
    }

    @Test("a connection the server closed while idle is not reused: the POST goes out once, on a new one")
    func idleCloseIsNoticedBeforeSending() async throws {
        let seen = try await Self.withScriptedServer("idle-close") { (client: HTTPClient, closed: String) async throws in
            #expect(try await client.collect(HTTPClientRequest(target: "/first")).head.status.code == 200)
            // The server has closed the idle connection (its FIN is in our kernel on loopback).
            try await waitUntil("the server closing the first connection") { FileManager.default.fileExists(atPath: closed) }
            let (head, body) = try await client.collect(HTTPClientRequest(method: .post, target: "/create", body: .bytes(Array("x".utf8))))
            #expect(head.status.code == 200)
            #expect(body == Array("ok".utf8))
        }
        #expect(seen == ["GET /first HTTP/1.1", "POST /create HTTP/1.1", "GET /done HTTP/1.1"])
    }

    @Test("a POST the server received and dropped without an answer is not sent again")
    func droppedPostIsNotReplayed() async throws {
        let seen = try await Self.withScriptedServer("drop-second") { (client: HTTPClient, _: String) async throws in
            #expect(try await client.collect(HTTPClientRequest(target: "/first")).head.status.code == 200)
            await #expect(throws: (any Error).self) {
                try await client.collect(HTTPClientRequest(method: .post, target: "/create", body: .bytes(Array("x".utf8))))
            }
        }
        #expect(seen == ["GET /first HTTP/1.1", "POST /create HTTP/1.1", "GET /done HTTP/1.1"])
    }

    @Test("an idempotent request the server dropped without an answer is sent again, once", arguments: [HTTPMethod.get, .put, .delete])
    func droppedIdempotentRequestIsReplayed(method: HTTPMethod) async throws {
        let seen = try await Self.withScriptedServer("drop-second") { (client: HTTPClient, _: String) async throws in
            #expect(try await client.collect(HTTPClientRequest(target: "/first")).head.status.code == 200)
            let (head, body) = try await client.collect(HTTPClientRequest(method: method, target: "/thing"))
            #expect(head.status.code == 200)
            #expect(body == Array("ok".utf8))
        }
        #expect(seen == ["GET /first HTTP/1.1", "\(method) /thing HTTP/1.1", "\(method) /thing HTTP/1.1", "GET /done HTTP/1.1"])
    }
}
