// slipway — API server tests
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Jobs
import Testing
import TestSupport

@Suite("GET /v1/events: Server-Sent Events")
struct EventsTests {
    static var script: String { "\(ProcessRunner.repositoryRoot)/Tests/python/sse_client.py" }

    static func collect(_ server: APIServer, count: Int, lastEventID: Int64?, query: String = "") async throws -> [(Int64, String)] {
        let result = try await ProcessRunner.run(
            ProcessRunner.python, [Self.script, "\(server.port)", "collect", "\(count)", lastEventID.map(String.init) ?? "-", query]
        )
        #expect(result.status == 0, "\(result.stderr)")
        let pairs = (try? JSONSerialization.jsonObject(with: Data(result.stdoutBytes))) as? [[Any]] ?? []
        return pairs.compactMap { pair in (pair[0] as? Int).map { (Int64($0), pair[1] as? String ?? "") } }
    }

    static func waitForSubscribers(_ server: APIServer, _ count: Int) async throws {
        try await waitUntil("\(count) subscribers", timeout: .seconds(60)) { server.application.events.subscriberCount >= count }
    }

    @Test func resumingWithLastEventIDMissesNothing() async throws {
        try await withAPIServer { server in
            for _ in 0..<5 { try await server.insertJob(status: .pending) }
            try await Self.waitForRecorded(server, 5)

            // Read three events from the start, then disconnect.
            let first = try await Self.collect(server, count: 3, lastEventID: 0)
            #expect(first.map(\.0) == [1, 2, 3])
            #expect(first.allSatisfy { $0.1 == "job" })

            // Changes while disconnected: a start and a success for job 1 (two events each
            // recorded), plus new jobs.
            _ = try await server.apply(.start, to: JobID(1))
            _ = try await server.apply(.succeed, to: JobID(1))
            for _ in 0..<3 { try await server.insertJob(status: .pending) }
            try await Self.waitForRecorded(server, 10)

            // Resume after 3: the backlog 4…10, then one live event 11.
            let resumed = Task { try await Self.collect(server, count: 8, lastEventID: 3) }
            try await Self.waitForSubscribers(server, 1)
            try await server.insertJob(status: .pending)
            let second = try await resumed.value
            #expect(second.map(\.0) == Array(4...11))
        }
    }

    @Test func filtersApplyToEventsLikeToLists() async throws {
        try await withAPIServer { server in
            try await server.insertJob(APIServer.specification(worker: .host), status: .running)   // events 1 (pending), 2 (running)
            try await server.insertJob(APIServer.specification(worker: .dind), status: .running)   // 3, 4
            try await server.insertJob(APIServer.specification(project: "other/x"), status: .pending)   // 5
            try await Self.waitForRecorded(server, 5)
            let running = try await Self.collect(server, count: 2, lastEventID: 0, query: "status=running")
            #expect(running.map(\.0) == [2, 4])
            let dind = try await Self.collect(server, count: 2, lastEventID: 0, query: "worker=dind")
            #expect(dind.map(\.0) == [3, 4])
            let project = try await Self.collect(server, count: 1, lastEventID: 0, query: "project=other%2Fx")
            #expect(project.map(\.0) == [5])
            let job = try await Self.collect(server, count: 2, lastEventID: 0, query: "job_id=2")
            #expect(job.map(\.0) == [3, 4])
            #expect(try await server.request(.get, "/v1/events?job_id=0").status == 400)
            let bad = try await server.request(.get, "/v1/events?status=nope")
            #expect(bad.status == 400)
            let badID = try await server.request(.get, "/v1/events", fields: [("Last-Event-ID", "abc")])
            #expect(badID.status == 400)
        }
    }

    @Test func pipelineStatusChangesAreEvents() async throws {
        try await withAPIServer { server in
            let pipeline = try await server.store.insertPipeline(project: "group/app", ref: "main", sha: "abc", source: "push", at: .now)
            // One step at a time: a batch of job changes yields one pipeline event for the batch.
            let job = try await server.insertJob(APIServer.specification(pipelineID: pipeline.id), status: .pending)
            try await Self.waitForRecorded(server, 2)
            _ = try await server.apply(.start, to: job.id)
            try await Self.waitForRecorded(server, 4)
            _ = try await server.apply(.succeed, to: job.id)
            try await Self.waitForRecorded(server, 6)
            let events = try await Self.collect(server, count: 3, lastEventID: 0, query: "type=pipeline")
            #expect(events.count == 3)
            let statuses = try await server.store.changes(after: 0, limit: 100).filter { $0.subject == .pipeline }.map(\.status)
            #expect(statuses == ["pending", "running", "success"])
        }
    }

    @Test func heartbeatsKeepIdleStreamsAlive() async throws {
        try await withAPIServer { server in
            // No event is published: what arrives on the idle stream is its heartbeats (every
            // 500 ms here). The client reads until it has seen three, or gives up after 60 s.
            let client = """
                import socket, sys, time
                s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=60)
                s.sendall(b"GET /v1/events HTTP/1.1\\r\\nHost: t\\r\\nAccept: text/event-stream\\r\\n\\r\\n")
                data, deadline = b"", time.monotonic() + 60
                while data.count(b": heartbeat") < 3 and time.monotonic() < deadline:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                sys.stdout.write(data.decode(errors="replace"))
                """
            let result = try await ProcessRunner.run(ProcessRunner.python, ["-c", client, "\(server.port)"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("retry: 2000\n\n"), "\(result.stdout)")
            #expect(result.stdout.components(separatedBy: ": heartbeat").count - 1 >= 3, "the stream stayed open with heartbeats: \(result.stdout)")
        }
    }

    @Test func twoHundredSubscribersGetEveryEvent() async throws {
        try await withAPIServer { server in
            let subscribers = 200
            let events = 50
            let fanout = Task {
                try await ProcessRunner.run(ProcessRunner.python, [Self.script, "\(server.port)", "fanout", "\(subscribers)", "\(events)", "240"])
            }
            try await Self.waitForSubscribers(server, subscribers)
            for _ in 0..<events { try await server.insertJob(status: .pending) }
            let result = try await fanout.value
            #expect(result.status == 0, "\(result.stderr)")
            let line = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
            let report = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
            let perSubscriber = report["subscribers"] as? [[String: Any]] ?? []
            #expect(perSubscriber.count == subscribers)
            let short = perSubscriber.filter { ($0["count"] as? Int) != events || ($0["contiguous"] as? Bool) != true }
            #expect(short.isEmpty, "\(short.count) subscribers missed events, e.g. \(short.prefix(3)); stderr: \(result.stderr.suffix(2000))")
        }
    }

    static func waitForRecorded(_ server: APIServer, _ count: Int) async throws {
        try await waitUntil("\(count) events recorded") { try await server.store.changes(after: 0, limit: 1000).count >= count }
    }
}
