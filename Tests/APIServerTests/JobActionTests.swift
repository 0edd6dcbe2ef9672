// slipway — API server tests
// SPDX-License-Identifier: Apache-2.0

import Application
import Foundation
import HTTP
import Jobs
import Testing
import TestSupport

@Suite("cancel, retry, long-poll, workers, metrics, readiness")
struct JobActionTests {
    @Test func cancelIs202ThenConflictOnceFinished() async throws {
        try await withAPIServer { server in
            let pending = try await server.insertJob(status: .pending)
            let running = try await server.insertJob(status: .running)
            for job in [pending, running] {
                let canceled = try await server.request(.post, "/v1/jobs/\(job.id)/cancel")
                #expect(canceled.status == 202)
                #expect(canceled.json["status"] as? String == "canceled")
                let again = try await server.request(.post, "/v1/jobs/\(job.id)/cancel")
                #expect(again.status == 409)
            }
            #expect(try await server.request(.post, "/v1/jobs/999/cancel").status == 404)
            #expect(try await server.request(.post, "/v1/jobs/abc/cancel").status == 404)
        }
    }

    @Test("retry", arguments: JobStatus.allCases)
    func retry(status: JobStatus) async throws {
        try await withAPIServer { server in
            let original = try await server.insertJob(status: status)
            let response = try await server.request(.post, "/v1/jobs/\(original.id)/retry")
            if status.isFinished {
                #expect(response.status == 201)
                let id = try #require(response.json["id"] as? Int)
                #expect(id != Int(original.id.rawValue))
                #expect(response.json["retry_of"] as? Int == Int(original.id.rawValue))
                #expect(response.json["status"] as? String == "pending")
                #expect(response.json["name"] as? String == original.name)
                #expect(response.fields["Location"] == "/v1/jobs/\(id)")
                let stored = try #require(try await server.store.job(JobID(Int64(id))))
                #expect(stored.retryOf == original.id && stored.specification == original.specification)
            } else {
                #expect(response.status == 409)
            }
        }
    }

    @Test func longPollReturnsWhenTheStatusChanges() async throws {
        try await withAPIServer { server in
            let job = try await server.insertJob(status: .pending)
            let poll = Task { try await server.request(.get, "/v1/jobs/\(job.id)?wait=60s&status=pending") }
            // The poll is parked on the job: the change below is what wakes it.
            try await waitUntil("the long poll parked") { server.application.events.watcherCount(of: job.id) == 1 }
            let changed = ContinuousClock.now
            _ = try await server.apply(.start, to: job.id)
            let response = try await poll.value
            #expect(response.json["status"] as? String == "running")
            #expect(ContinuousClock.now - changed < .seconds(30), "answered on the change, not at the end of the 60 s wait")
        }
    }

    @Test func longPollAnswersAtOnceForAFinishedJob() async throws {
        try await withAPIServer { server in
            let finished = try await server.insertJob(status: .success)
            let started = ContinuousClock.now
            let immediate = try await server.request(.get, "/v1/jobs/\(finished.id)?wait=60s")
            #expect(immediate.json["status"] as? String == "success")
            #expect(ContinuousClock.now - started < .seconds(30), "a finished job is answered at once, not after the 60 s wait")
        }
    }

    @Test func longPollAnswersAtOnceWhenTheStatusAlreadyDiffersFromTheOneTheCallerSaw() async throws {
        try await withAPIServer { server in
            let job = try await server.insertJob(status: .pending)
            _ = try await server.apply(.start, to: job.id)
            let started = ContinuousClock.now
            let response = try await server.request(.get, "/v1/jobs/\(job.id)?wait=60s&status=pending")
            #expect(response.json["status"] as? String == "running")
            #expect(ContinuousClock.now - started < .seconds(30), "answered at once, not after the 60 s wait")
            #expect(try await server.request(.get, "/v1/jobs/\(job.id)?wait=1s&status=sleeping").status == 400)
        }
    }

    @Test func longPollEndsAfterTheWaitOrAtOnceForFinishedJobs() async throws {
        try await withAPIServer(configure: { $0.api.maxWait = .seconds(10) }) { server in
            let pending = try await server.insertJob(status: .pending)
            let started = ContinuousClock.now
            // 60s asked, 10s allowed by api.max_wait.
            let waited = try await server.request(.get, "/v1/jobs/\(pending.id)?wait=60s")
            #expect(waited.status == 200 && waited.json["status"] as? String == "pending")
            #expect(ContinuousClock.now - started >= .milliseconds(9900))
            #expect(ContinuousClock.now - started < .seconds(60), "the wait was cut to api.max_wait")


            #expect(try await server.request(.get, "/v1/jobs/\(pending.id)?wait=soon").status == 400)
            #expect(try await server.request(.get, "/v1/jobs/999?wait=1s").status == 404)
        }
    }

    @Test func workersListEachPool() async throws {
        try await withAPIServer(configure: { configuration in
            configuration.workers.host.concurrency = 3
            var dind = SlipwayConfiguration.WorkerSettings.DindPool()
            dind.concurrency = 1
            dind.warm = 1
            configuration.workers.dind = dind
        }) { server in
            _ = try await server.request(.post, "/v1/jobs", body: #"{"name":"a","image":"busybox","script":["true"],"worker":"host"}"#)
            let response = try await server.request(.get, "/v1/workers")
            #expect(response.status == 200)
            let workers = response.json["workers"] as? [[String: Any]] ?? []
            let host = try #require(workers.first { $0["kind"] as? String == "host" })
            #expect(host["concurrency"] as? Int == 3)
            #expect(host["busy"] as? Int == 0)
            // The engine does not answer: the submitted job waits in the queue.
            #expect(host["pending"] as? Int == 1)
            #expect(host["warm_daemons"] is NSNull)
            // The dind pool counts its ready warm daemons: none, as the engine does not answer.
            let dind = try #require(workers.first { $0["kind"] as? String == "dind" })
            #expect(dind["concurrency"] as? Int == 1)
            #expect(dind["warm_daemons"] as? Int == 0)
        }
    }

    @Test func metricsArePrometheusText() async throws {
        try await withAPIServer { server in
            try await server.insertJob(status: .running)
            try await server.insertJob(status: .success)
            _ = try await server.request(.get, "/v1/jobs/1")
            _ = try await server.request(.get, "/v1/jobs/999")
            let response = try await server.request(.get, "/metrics")
            #expect(response.status == 200)
            #expect(response.fields["Content-Type"]?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = response.text
            for line in [
                #"slipway_http_requests_total{route="/v1/jobs/{id}",method="GET",status="200"} 1"#,
                #"slipway_http_requests_total{route="/v1/jobs/{id}",method="GET",status="404"} 1"#,
                #"slipway_jobs{status="running"} 1"#, #"slipway_jobs{status="success"} 1"#, #"slipway_jobs{status="pending"} 0"#,
                #"slipway_queue_depth{worker="host"} 0"#, #"slipway_job_duration_seconds_count{worker="host"} 1"#,
                #"slipway_job_queue_wait_seconds_count{worker="host"} 2"#, #"slipway_webhook_deliveries_total{outcome="accepted"} 0"#,
                #"slipway_http_request_duration_seconds_bucket{route="/v1/jobs/{id}",method="GET",le="+Inf"} 2"#,
            ] {
                #expect(text.contains(line + "\n"), "missing: \(line)")
            }
            // Every sample line is `name{labels} value`, and every metric has HELP and TYPE.
            for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                #expect(line.split(separator: " ").count == 2, "\(line)")
            }
            #expect(text.components(separatedBy: "# HELP ").count == text.components(separatedBy: "# TYPE ").count)
        }
    }

    @Test func readinessNamesEachReason() async throws {
        try await withAPIServer { server in
            let response = try await server.request(.get, "/readyz")
            #expect(response.status == 503)
            #expect(response.fields["Content-Type"] == "application/problem+json")
            let reasons = response.json["reasons"] as? [String] ?? []
            #expect(reasons.count == 1 && reasons[0].hasPrefix("docker:"))
            #expect(response.fields["Retry-After"] == "1")
        }
    }
}
