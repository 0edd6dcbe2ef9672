// slipway — API
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import HTTP
import Jobs

/// Reads and validates query parameters; every problem is a 400 naming the parameter.
struct QueryParameters {
    let request: HTTPRequest
    /// The decoded parameters, split once: a list request looks up about ten of them.
    private let items: [(name: String, value: String)]

    init(_ request: HTTPRequest) {
        self.request = request
        self.items = request.queryItems
    }

    /// The first value of parameter `name`, as ``HTTP/HTTPRequest/query(_:)``.
    func value(_ name: String) -> String? {
        self.items.first { $0.name == name }?.value
    }

    /// Every value of parameter `name`, in order.
    func values(_ name: String) -> [String] {
        self.items.compactMap { $0.name == name ? $0.value : nil }
    }

    static func invalid(_ name: String, _ detail: String) -> HTTPError {
        HTTPError(.badRequest, "\(name): \(detail)", type: "https://slipway.dev/problems/invalid-parameter", extensions: ["field": name])
    }

    func string(_ name: String) throws(HTTPError) -> String? {
        guard let value = self.value(name) else { return nil }
        guard !value.isEmpty, value.utf8.count <= 255 else { throw Self.invalid(name, "must be a non-empty string of at most 255 bytes") }
        return value
    }

    func positiveInteger(_ name: String) throws(HTTPError) -> Int64? {
        guard let text = self.value(name) else { return nil }
        guard (1...18).contains(text.utf8.count), text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = Int64(text), value > 0 else {
            throw Self.invalid(name, "must be a positive integer")
        }
        return value
    }

    func limit(default defaultValue: Int = 20, maximum: Int = 100) throws(HTTPError) -> Int {
        guard let text = self.value("limit") else { return defaultValue }
        guard text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = Int(text), (1...maximum).contains(value) else {
            throw Self.invalid("limit", "must be a whole number from 1 to \(maximum)")
        }
        return value
    }

    func timestamp(_ name: String) throws(HTTPError) -> Date? {
        guard let text = self.value(name) else { return nil }
        guard let date = Timestamp.parse(text) else { throw Self.invalid(name, "must be an RFC 3339 time such as 2026-11-29T08:00:00Z") }
        return date
    }

    func cursor() throws(HTTPError) -> Int64? {
        guard let text = self.value("cursor") else { return nil }
        return try PageCursor.decode(text)
    }

    func worker() throws(HTTPError) -> WorkerKind? {
        guard let text = self.value("worker") else { return nil }
        guard let kind = WorkerKind(rawValue: text) else { throw Self.invalid("worker", "must be host or dind") }
        return kind
    }

    /// Every `status` value (repeatable, or comma-separated), each one of `allowed`.
    func statuses(allowed: [String]) throws(HTTPError) -> [String] {
        var result: [String] = []
        for value in self.values("status") {
            for part in value.split(separator: ",", omittingEmptySubsequences: false) {
                guard allowed.contains(String(part)) else {
                    throw Self.invalid("status", "'\(part.prefix(40))' is not a status; use \(allowed.joined(separator: ", "))")
                }
                result.append(String(part))
            }
        }
        return result
    }

    /// The job filters shared by `/v1/jobs` and `/v1/events`.
    func jobQuery() throws(HTTPError) -> JobQuery {
        var query = JobQuery()
        query.statuses = Set(try self.statuses(allowed: JobStatus.allCases.map(\.rawValue)).compactMap(JobStatus.init(rawValue:)))
        query.worker = try self.worker()
        query.project = try self.string("project")
        query.ref = try self.string("ref")
        query.pipelineID = try self.positiveInteger("pipeline_id")
        query.createdAfter = try self.timestamp("created_after")
        query.createdBefore = try self.timestamp("created_before")
        return query
    }
}
