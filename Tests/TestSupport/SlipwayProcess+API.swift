// slipway — test support
// SPDX-License-Identifier: Apache-2.0

import Foundation
import HTTP

/// A job as `GET /v1/jobs/{id}` returns it.
public struct JobView: Sendable {
    public var fields: [String: any Sendable]

    public var id: Int { self.fields["id"] as? Int ?? -1 }
    public var status: String { self.fields["status"] as? String ?? "?" }
    public var failureReason: String? { self.fields["failure_reason"] as? String }
    public var exitCode: Int? { self.fields["exit_code"] as? Int }
    public var isFinished: Bool { ["success", "failed", "canceled", "skipped"].contains(self.status) }
}

public struct APIResponse: Sendable {
    public var status: Int
    public var fields: HTTPFields
    public var body: [UInt8]
    public var text: String { String(decoding: self.body, as: UTF8.self) }
    public var json: [String: any Sendable] {
        (try? JSONSerialization.jsonObject(with: Data(self.body))) as? [String: any Sendable] ?? [:]
    }
}

extension SlipwayProcess {
    public func request(_ method: HTTPMethod, _ target: String, json: String? = nil, headers: [(String, String)] = []) async throws -> APIResponse {
        guard let client else { throw ProcessRunnerError(message: "slipway is not running") }
        var fields = HTTPFields()
        if json != nil { fields.append(name: "Content-Type", value: "application/json") }
        for (name, value) in headers { fields.append(name: name, value: value) }
        let request = HTTPClientRequest(method: method, target: target, fields: fields, body: json.map { .bytes(Array($0.utf8)) } ?? .none)
        let (head, body) = try await client.collect(request, limit: 256 * 1024 * 1024)
        return APIResponse(status: head.status.code, fields: head.fields, body: body)
    }

    /// Submits a job; returns its ID, or throws with the server's answer.
    public func submit(name: String = "e2e", image: String, script: [String], worker: String = "host", timeout: String? = nil, project: String? = nil) async throws -> Int {
        let response = try await self.request(.post, "/v1/jobs", json: Self.submission(name: name, image: image, script: script, worker: worker, timeout: timeout, project: project))
        guard response.status == 201, let id = response.json["id"] as? Int else {
            throw ProcessRunnerError(message: "POST /v1/jobs answered \(response.status): \(response.text)")
        }
        return id
    }

    public static func submission(name: String, image: String, script: [String], worker: String, timeout: String? = nil, project: String? = nil) -> String {
        var body: [String: Any] = ["name": name, "image": image, "script": script, "worker": worker]
        if let timeout { body["timeout"] = timeout }
        if let project { body["project"] = project }
        let data = try! JSONSerialization.data(withJSONObject: body)
        return String(decoding: data, as: UTF8.self)
    }

    public func job(_ id: Int) async throws -> JobView {
        let response = try await self.request(.get, "/v1/jobs/\(id)")
        guard response.status == 200 else { throw ProcessRunnerError(message: "GET /v1/jobs/\(id) answered \(response.status): \(response.text)") }
        return JobView(fields: response.json)
    }

    public func logText(_ id: Int) async throws -> String {
        try await self.request(.get, "/v1/jobs/\(id)/log").text
    }

    /// Waits until `/readyz` answers 200 (the engine answers and start-up reconciliation is over).
    public func waitUntilReady(timeout: Duration = .seconds(60)) async throws {
        try await waitUntil("slipway ready", timeout: timeout, interval: .milliseconds(50)) {
            (try? await self.request(.get, "/readyz"))?.status == 200
        }
    }

    /// Polls until the job's status satisfies `condition`; fails with the server's log after
    /// `timeout`.
    public func waitForJob(_ id: Int, timeout: Duration = .seconds(120), until condition: (JobView) -> Bool = { $0.isFinished }) async throws -> JobView {
        var last: JobView?
        do {
            try await waitUntil("job \(id) in the expected state", timeout: timeout, interval: .milliseconds(50)) {
                let job = try await self.job(id)
                last = job
                return condition(job)
            }
        } catch is WaitTimedOut {
            throw ProcessRunnerError(message: "job \(id) did not reach the expected state in \(timeout); last: \(last?.fields ?? [:])\nserver log:\n\(self.log.suffix(4000))")
        }
        return last!
    }

    /// Polls until the job's log contains `text`.
    public func waitForLog(_ id: Int, containing text: String, timeout: Duration = .seconds(120)) async throws {
        do {
            try await waitUntil("job \(id)'s log containing \(text)", timeout: timeout, interval: .milliseconds(50)) {
                try await self.logText(id).contains(text)
            }
        } catch is WaitTimedOut {
            throw ProcessRunnerError(message: "job \(id)'s log never contained \(text): \(try await self.logText(id))")
        }
    }
}
