// slipway — commit status tests
// SPDX-License-Identifier: Apache-2.0

import Application
import CommitStatus
import Foundation
import Jobs
import Store
import Testing
import TestSupport

/// Which jobs the running application reports, and where: jobs of a pipeline, to the project,
/// commit and ref of the pipeline record; never jobs without a pipeline, whatever their
/// variables claim.
@Suite(.serialized) struct PipelineStatusWiringTests {
    /// slipway reporting to `gitlab` for project `group/app` (GitLab id 77), no job runs.
    static func configuration(gitlab: FakeGitLab, pki: TestPKI, dataDirectory: String) throws -> SlipwayConfiguration {
        var configuration = try SlipwayConfiguration.parse(yaml: """
            public_url: https://slipway.example.com
            gitlab:
              url: \(gitlab.url)
              status_token: glpat-wiring-token
              ca_file: \(pki.caFile)
            projects:
              - path: group/app
                id: 77
                webhook_token: hook-token-for-app
            """)
        configuration.dataDirectory = dataDirectory
        configuration.listen = [.ipv4(host: "127.0.0.1", port: 0)]
        configuration.http.eventLoops = 1
        configuration.workers.host.concurrency = 0
        return configuration
    }

    @Test func pipelineJobsReportToTheirPipelinesCommitAndOthersNowhere() async throws {
        try await FakeGitLab.with { gitlab, pki in
            let directory = try temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let logs = LogCapture()
            let configuration = try Self.configuration(gitlab: gitlab, pki: pki, dataDirectory: directory)
            let application = try await SlipwayApplication(configuration: configuration, logger: logs.logger)
            try await application.start()
            let reporter = try #require(application.statusReporter)

            let sha = "0123456789abcdef0123456789abcdef01234567"
            guard case .created(let pipeline, _) = try await application.store.receivePipeline(
                project: "group/app", ref: "feature/x", sha: sha, source: "push", trigger: "{}", delivery: nil, at: Date()
            ) else {
                Issue.record("the pipeline was not created")
                return
            }
            var inPipeline = JobSpecification(name: "build", image: "busybox", script: ["true"], worker: .host, timeout: .seconds(60), project: "group/app")
            inPipeline.pipelineID = pipeline.id
            // A job submitted through the API, claiming another project in its variables.
            let outsider = JobSpecification(name: "sneaky", image: "busybox", script: ["true"], variables: [
                "CI_PROJECT_ID": "999", "CI_COMMIT_SHA": sha, "CI_COMMIT_REF_NAME": "main",
            ], worker: .host, timeout: .seconds(60), project: "group/app")
            let outsiderJob = try await application.store.insert(outsider, status: .pending, at: Date())
            reporter.jobChanged(outsiderJob)
            let job = try await application.store.insert(inPipeline, status: .pending, at: Date())
            reporter.jobChanged(job)

            let requests = try await gitlab.waitForRequests { !$0.isEmpty }
            // Changes are looked up in order: once the outbox has nothing left to send, the
            // outsider (reported first) was decided too, and queued nothing.
            let outbox = SQLiteCommitStatusOutbox(store: application.store)
            try await waitUntil("the outbox drained") { try await outbox.waitingCount() == 0 }
            let all = try await gitlab.requests()
            #expect(all.count == 1, "only the pipeline's job reports: \(all.map(\.path))")
            #expect(requests.first?.path == "/api/v4/projects/77/statuses/\(sha)")
            #expect(requests.first?.name == "build")
            #expect(requests.first?.state == "pending")
            #expect(requests.first?.body["ref"]?.string == "feature/x")
            #expect(requests.first?.body["target_url"]?.string == "https://slipway.example.com/jobs/\(job.id)")
            #expect(requests.first?.headers["private-token"] == "glpat-wiring-token")
            await application.shutdown()
        }
    }

    /// A crash between a job's status change and its outbox entry must not lose the status:
    /// the next start queues the current status of each stream's newest job, and only what
    /// differs from what the outbox already has.
    @Test func statusesLostInACrashAreReportedAtTheNextStart() async throws {
        try await FakeGitLab.with { gitlab, pki in
            let directory = try temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let sha = "89abcdef0123456789abcdef0123456789abcdef"
            // What the crashed run committed: jobs whose changes never reached the outbox.
            let store = try await SQLiteJobStore.open(path: "\(directory)/slipway.db")
            let older = try await store.insertPipeline(project: "group/app", ref: "main", sha: sha, source: "push", at: Date())
            let newer = try await store.insertPipeline(project: "group/app", ref: "main", sha: sha, source: "web", at: Date())
            func job(_ name: String, in pipeline: Pipeline, _ events: [JobEvent]) async throws -> Job {
                var specification = JobSpecification(name: name, image: "busybox", script: ["true"], worker: .host, timeout: .seconds(60), project: "group/app")
                specification.pipelineID = pipeline.id
                var job = try await store.insert(specification, status: .pending, at: Date())
                for event in events { job = try await store.apply(event, to: job.id, at: Date()) }
                return job
            }
            _ = try await job("build", in: older, [.start, .fail(.scriptFailure, exitCode: 1)])
            let build = try await job("build", in: newer, [.start, .succeed])
            let test = try await job("test", in: newer, [.start, .fail(.scriptFailure, exitCode: 2)])
            await store.close()

            let configuration = try Self.configuration(gitlab: gitlab, pki: pki, dataDirectory: directory)
            let logs = LogCapture()
            for _ in 0..<2 {
                let application = try await SlipwayApplication(configuration: configuration, logger: logs.logger)
                // start() queues what the last stop lost before it returns; then wait until it
                // has been sent.
                try await application.start()
                let outbox = SQLiteCommitStatusOutbox(store: application.store)
                try await waitUntil("the outbox drained") { try await outbox.waitingCount() == 0 }
                await application.shutdown()
            }
            // Streams are delivered side by side: in name order for the comparison.
            let requests = try await gitlab.requests().sorted { ($0.name ?? "") < ($1.name ?? "") }
            // The older pipeline's failed build is not reported over the newer one's success,
            // and the second start reports nothing again.
            #expect(requests.map(\.name) == ["build", "test"])
            #expect(requests.map(\.state) == ["success", "failed"])
            #expect(requests.map { $0.body["target_url"]?.string } == [build, test].map { "https://slipway.example.com/jobs/\($0.id)" })
        }
    }
}
