// slipway — API server tests
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Jobs
import Testing
import TestSupport

/// Job changes reach their subscribers in the order they were committed, also when many jobs
/// change at once: real jobs on the private Docker daemon, observed through the event log
/// (what `/v1/events` streams, in id order) and an SSE client reading it live.
@Suite("job changes in commit order", .disabled(if: DockerTestEnvironment.isSkipped, DockerTestEnvironment.skipComment))
struct JobChangeOrderTests {
    @Test func everyJobsChangesArriveInTheOrderOfItsStateMachine() async throws {
        let host = try DockerTestEnvironment.host()
        try await withAPIServer(configure: { configuration in
            configuration.dockerHost = host
            configuration.workers.host.network = "none"
            configuration.workers.host.concurrency = 4
        }) { server in
            try await waitUntil("the Docker engine ready") { try await server.request(.get, "/readyz").status == 200 }
            let count = 60
            // Each job: pending (submitted), running, then success or failed.
            let subscriber = Task {
                try await ProcessRunner.run(ProcessRunner.python, [EventsTests.script, "\(server.port)", "collect", "\(count * 3)", "-", "", "600"],
                                            timeout: .seconds(600))
            }
            try await EventsTests.waitForSubscribers(server, 1)
            let ids = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<count {
                    group.addTask {
                        let script = index % 3 == 0 ? ["exit 2"] : ["true"]
                        let body = #"{"name":"order-\#(index)","image":"\#(DockerTestEnvironment.busyboxImage)","worker":"host","script":\#(script.map { "\"\($0)\"" })}"#
                        let response = try await server.request(.post, "/v1/jobs", body: body)
                        return try #require(response.json["id"] as? Int, "\(response.status) \(response.text)")
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            try await waitUntil("every job finished", timeout: .seconds(600), interval: .milliseconds(200)) {
                let changes = try await server.store.changes(after: 0, limit: 10_000)
                return Set(changes.filter { ["success", "failed"].contains($0.status) }.compactMap(\.jobID)).count == count
            }
            let recorded = try await server.store.changes(after: 0, limit: 10_000)
            #expect(recorded.map(\.id) == recorded.map(\.id).sorted(), "ids follow commit order")
            for id in ids {
                let statuses = recorded.filter { $0.jobID == JobID(Int64(id)) }.map(\.status)
                #expect(statuses.count == 3 && statuses[0] == "pending" && statuses[1] == "running" && ["success", "failed"].contains(statuses[2]),
                        "job \(id): \(statuses)")
            }
            // The live subscriber saw the same events, in the same order.
            let streamed = try await subscriber.value
            #expect(streamed.status == 0, "\(streamed.stderr)")
            let seen = ((try? JSONSerialization.jsonObject(with: Data(streamed.stdoutBytes))) as? [[Any]] ?? []).compactMap { $0.first as? Int }
            #expect(seen.map(Int64.init) == recorded.map(\.id).prefix(seen.count).map { $0 }, "the stream is the log, in order")
            #expect(seen.count == count * 3)
        }
    }
}
