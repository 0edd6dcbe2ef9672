// slipway — command line
// SPDX-License-Identifier: Apache-2.0

import API
import ArgumentParser
import HTTP

/// `slipway status ID`.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show a job.")
    @OptionGroup var client: ClientOptions
    @Argument(help: "The job id.") var id: Int64
    @Flag(name: .long, help: "Print the job as JSON.") var json = false

    func run() async throws {
        let client = try self.client.makeClient()
        try await runClient {
            let (job, raw) = try await client.json(.get, "/v1/jobs/\(self.id)")
            if self.json { print(String(decoding: raw, as: UTF8.self)); return }
            for key in ["id", "name", "status", "failure_reason", "exit_code", "worker", "image", "project", "ref", "pipeline_id",
                        "retry_of", "created_at", "started_at", "finished_at", "duration", "queued_duration"] {
                print("\(key):\(String(repeating: " ", count: 16 - key.count))\(job[key]?.cell ?? "-")")
            }
        }
    }
}

/// `slipway list`.
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List jobs, newest first.")
    @OptionGroup var client: ClientOptions
    @Option(name: .long, help: "Only jobs in this status (repeatable).") var status: [String] = []
    @Option(name: .long, help: "host or dind.") var worker: String?
    @Option(name: .long) var project: String?
    @Option(name: .long) var ref: String?
    @Option(name: .long, help: "At most this many (1-100).") var limit: Int = 20
    @Flag(name: .long, help: "Print the response as JSON (for scripts).") var json = false

    func run() async throws {
        var query = ["limit=\(self.limit)"]
        query += self.status.map { "status=\(Self.escape($0))" }
        if let worker { query.append("worker=\(Self.escape(worker))") }
        if let project { query.append("project=\(Self.escape(project))") }
        if let ref { query.append("ref=\(Self.escape(ref))") }
        let client = try self.client.makeClient()
        try await runClient {
            let (page, raw) = try await client.json(.get, "/v1/jobs?\(query.joined(separator: "&"))")
            if self.json { print(String(decoding: raw, as: UTF8.self)); return }
            guard case .array(let jobs)? = page["jobs"] else { return }
            printTable(["ID", "STATUS", "WORKER", "NAME", "PROJECT", "REF", "CREATED"], jobs.map { job in
                ["id", "status", "worker", "name", "project", "ref", "created_at"].map { job[$0]?.cell ?? "-" }
            })
        }
    }

    /// Percent-encodes a query value.
    static func escape(_ value: String) -> String {
        var result = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                result += "%\(hex[Int(byte >> 4)])\(hex[Int(byte & 0xF)])"
            }
        }
        return result
    }
}

/// `slipway logs ID [-f]`.
struct LogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logs", abstract: "Print a job's log.")
    @OptionGroup var client: ClientOptions
    @Argument(help: "The job id.") var id: Int64
    @Flag(name: [.customShort("f"), .long], help: "Keep printing as the log grows, until the job finishes.") var follow = false

    func run() async throws {
        let client = try self.client.makeClient()
        try await runClient {
            try await client.stream("/v1/jobs/\(self.id)/log\(self.follow ? "?follow=true" : "")")
        }
    }
}

/// `slipway cancel ID`.
struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel a job.")
    @OptionGroup var client: ClientOptions
    @Argument(help: "The job id.") var id: Int64

    func run() async throws {
        let client = try self.client.makeClient()
        try await runClient {
            let (job, _) = try await client.json(.post, "/v1/jobs/\(self.id)/cancel")
            print("job \(self.id): \(job["status"]?.cell ?? "?")")
        }
    }
}

/// `slipway retry ID`.
struct RetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "retry", abstract: "Retry a finished job as a new job; prints the new id.")
    @OptionGroup var client: ClientOptions
    @Argument(help: "The job id.") var id: Int64

    func run() async throws {
        let client = try self.client.makeClient()
        try await runClient {
            let (job, _) = try await client.json(.post, "/v1/jobs/\(self.id)/retry")
            print(job["id"]?.cell ?? "?")
        }
    }
}

/// `slipway workers`.
struct WorkersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "workers", abstract: "Show the worker pools.")
    @OptionGroup var client: ClientOptions
    @Flag(name: .long, help: "Print the response as JSON.") var json = false

    func run() async throws {
        let client = try self.client.makeClient()
        try await runClient {
            let (body, raw) = try await client.json(.get, "/v1/workers")
            if self.json { print(String(decoding: raw, as: UTF8.self)); return }
            guard case .array(let pools)? = body["workers"] else { return }
            printTable(["KIND", "CONCURRENCY", "BUSY", "PENDING", "WARM"], pools.map { pool in
                ["kind", "concurrency", "busy", "pending", "warm_daemons"].map { pool[$0]?.cell ?? "-" }
            })
        }
    }
}
