// slipway — end-to-end tests
// SPDX-License-Identifier: Apache-2.0

import Foundation
import HTTP
import TestSupport

/// A job as `GET /v1/jobs/{id}` returns it.
struct JobView: Sendable {
    var fields: [String: any Sendable]

    var id: Int { self.fields["id"] as? Int ?? -1 }
    var status: String { self.fields["status"] as? String ?? "?" }
    var failureReason: String? { self.fields["failure_reason"] as? String }
    var exitCode: Int? { self.fields["exit_code"] as? Int }
    var isFinished: Bool { ["success", "failed", "canceled", "skipped"].contains(self.status) }
}

struct APIResponse: Sendable {
    var status: Int
    var fields: HTTPFields
    var body: [UInt8]
    var text: String { String(decoding: self.body, as: UTF8.self) }
    var json: [String: any Sendable] {
        (try? JSONSerialization.jsonObject(with: Data(self.body))) as? [String: any Sendable] ?? [:]
    }
}

extension SlipwayProcess {
    func request(_ method: HTTPMethod, _ target: String, json: String? = nil) async throws -> APIResponse {
        guard let client else { throw ProcessRunnerError(message: "slipway is not running") }
        var fields = HTTPFields()
        if json != nil { fields.append(name: "Content-Type", value: "application/json") }
        let request = HTTPClientRequest(method: method, target: target, fields: fields, body: json.map { .bytes(Array($0.utf8)) } ?? .none)
        let (head, body) = try await client.collect(request, limit: 256 * 1024 * 1024)
        return APIResponse(status: head.status.code, fields: head.fields, body: body)
    }

    /// Submits a job; returns its ID, or throws with the server's answer.
    func submit(name: String = "e2e", image: String, script: [String], worker: String = "host", timeout: String? = nil, project: String? = nil) async throws -> Int {
        let response = try await self.request(.post, "/v1/jobs", json: Self.submission(name: name, image: image, script: script, worker: worker, timeout: timeout, project: project))
        guard response.status == 201, let id = response.json["id"] as? Int else {
            throw ProcessRunnerError(message: "POST /v1/jobs answered \(response.status): \(response.text)")
        }
        return id
    }

    static func submission(name: String, image: String, script: [String], worker: String, timeout: String? = nil, project: String? = nil) -> String {
        var body: [String: Any] = ["name": name, "image": image, "script": script, "worker": worker]
        if let timeout { body["timeout"] = timeout }
        if let project { body["project"] = project }
        let data = try! JSONSerialization.data(withJSONObject: body)
        return String(decoding: data, as: UTF8.self)
    }

    func job(_ id: Int) async throws -> JobView {
        let response = try await self.request(.get, "/v1/jobs/\(id)")
        guard response.status == 200 else { throw ProcessRunnerError(message: "GET /v1/jobs/\(id) answered \(response.status): \(response.text)") }
        return JobView(fields: response.json)
    }

    func logText(_ id: Int) async throws -> String {
        try await self.request(.get, "/v1/jobs/\(id)/log").text
    }

    /// Polls until the job's status satisfies `condition`; fails with the server's log after
    /// `timeout`.
    func waitForJob(_ id: Int, timeout: Duration = .seconds(60), until condition: (JobView) -> Bool = { $0.isFinished }) async throws -> JobView {
        let deadline = ContinuousClock.now + timeout
        var last: JobView?
        while ContinuousClock.now < deadline {
            let job = try await self.job(id)
            if condition(job) { return job }
            last = job
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ProcessRunnerError(message: "job \(id) did not reach the expected state in \(timeout); last: \(last?.fields ?? [:])\nserver log:\n\(self.log.suffix(4000))")
    }
}
