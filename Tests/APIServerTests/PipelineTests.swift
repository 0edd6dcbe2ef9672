// slipway — API server tests
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Jobs
import Testing

@Suite("pipelines")
struct PipelineTests {
    /// GitLab's composite status rules (`Gitlab::Ci::Status::Composite`), case by case.
    static let aggregateCases: [([JobStatus], PipelineStatus)] = [
        ([], .created),
        ([.skipped], .skipped),
        ([.skipped, .skipped], .skipped),
        ([.success], .success),
        ([.success, .skipped], .success),
        ([.created], .created),
        ([.created, .skipped], .created),
        ([.canceled], .canceled),
        ([.canceled, .success], .canceled),
        ([.canceled, .skipped, .success], .canceled),
        ([.pending], .pending),
        ([.pending, .created], .pending),
        ([.pending, .skipped], .pending),
        ([.running], .running),
        ([.running, .failed], .running),
        ([.pending, .success], .running),
        ([.created, .success], .running),
        ([.created, .failed], .running),
        ([.failed], .failed),
        ([.failed, .success], .failed),
        ([.failed, .canceled], .failed),
        ([.failed, .skipped], .failed),
    ]

    @Test("aggregate status", arguments: Self.aggregateCases)
    func aggregate(jobs: [JobStatus], expected: PipelineStatus) {
        #expect(PipelineStatus.aggregate(jobs) == expected)
    }

    @Test func listShowAndCancel() async throws {
        try await withAPIServer { server in
            let first = try await server.store.insertPipeline(project: "group/app", ref: "main", sha: "aaa", source: "push", at: .now)
            let second = try await server.store.insertPipeline(project: "group/lib", ref: "v1", sha: "bbb", source: "tag_push", at: .now)
            let third = try await server.store.insertPipeline(project: "group/app", ref: "dev", sha: nil, source: "api", at: .now)
            try await server.insertJob(APIServer.specification(name: "build", pipelineID: first.id), status: .success)
            try await server.insertJob(APIServer.specification(name: "test", pipelineID: first.id), status: .running)
            try await server.insertJob(APIServer.specification(name: "deploy", pipelineID: first.id), status: .created)
            try await server.insertJob(APIServer.specification(name: "build", pipelineID: second.id), status: .success)

            let list = try await server.request(.get, "/v1/pipelines")
            #expect(list.status == 200)
            let pipelines = list.json["pipelines"] as? [[String: Any]] ?? []
            #expect(pipelines.compactMap { $0["id"] as? Int } == [third.id, second.id, first.id].map(Int.init))
            #expect(pipelines.compactMap { $0["status"] as? String } == ["created", "success", "running"])
            #expect(pipelines.allSatisfy { $0["jobs"] == nil })

            let filtered = try await server.request(.get, "/v1/pipelines?project=group%2Fapp&limit=1")
            #expect((filtered.json["pipelines"] as? [[String: Any]])?.first?["id"] as? Int == Int(third.id))
            let next = try #require(filtered.json["next"] as? String)
            let page2 = try await server.request(.get, next)
            #expect((page2.json["pipelines"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [Int(first.id)])
            #expect(page2.json["next"] is NSNull)

            let shown = try await server.request(.get, "/v1/pipelines/\(first.id)")
            #expect(shown.status == 200)
            #expect(shown.json["status"] as? String == "running")
            #expect(shown.json["sha"] as? String == "aaa" && shown.json["source"] as? String == "push")
            let jobs = shown.json["jobs"] as? [[String: Any]] ?? []
            #expect(jobs.compactMap { $0["name"] as? String } == ["build", "test", "deploy"])

            let canceled = try await server.request(.post, "/v1/pipelines/\(first.id)/cancel")
            #expect(canceled.status == 202)
            #expect(canceled.json["status"] as? String == "canceled")
            let statuses = (canceled.json["jobs"] as? [[String: Any]] ?? []).compactMap { $0["status"] as? String }
            #expect(statuses == ["success", "canceled", "canceled"])
            #expect(try await server.request(.post, "/v1/pipelines/\(first.id)/cancel").status == 409)
            #expect(try await server.request(.post, "/v1/pipelines/\(second.id)/cancel").status == 409)

            #expect(try await server.request(.get, "/v1/pipelines/999").status == 404)
            #expect(try await server.request(.get, "/v1/pipelines/x").status == 404)
            #expect(try await server.request(.get, "/v1/pipelines?cursor=zzz").status == 400)
            #expect(try await server.request(.get, "/v1/pipelines?limit=0").status == 400)

            // The jobs list filters by pipeline too.
            let byPipeline = try await server.request(.get, "/v1/jobs?pipeline_id=\(first.id)")
            #expect((byPipeline.json["jobs"] as? [[String: Any]])?.count == 3)
        }
    }
}
