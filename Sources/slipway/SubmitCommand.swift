// slipway — command line
// SPDX-License-Identifier: Apache-2.0

import API
import ArgumentParser
import FoundationEssentials
import HTTP

/// `slipway submit`: submit a job from flags or a JSON file; with `--wait`, follow its log and
/// exit with its exit status.
struct SubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Submit a job.",
        discussion: "With --wait, the log is printed as it grows and slipway exits with the job's exit code (1 if it failed without one, or was canceled)."
    )

    @OptionGroup var client: ClientOptions

    @Option(name: .long, help: ArgumentHelp("A JSON file with the job (as POST /v1/jobs takes it); '-' reads standard input. Flags override its fields.", valueName: "file"))
    var file: String?
    @Option(name: .long, help: "The job's name.") var name: String?
    @Option(name: .long, help: "The image to run.") var image: String?
    @Option(name: .long, help: ArgumentHelp("A script line (repeatable, run in order with sh -e).", valueName: "line")) var script: [String] = []
    @Option(name: [.customShort("e"), .long], help: ArgumentHelp("A variable KEY=VALUE (repeatable).", valueName: "KEY=VALUE")) var variable: [String] = []
    @Option(name: .long, help: "host or dind.") var worker: String?
    @Option(name: .long, help: "The timeout: 90s, 30m, 1h.") var timeout: String?
    @Option(name: .long, help: "The project (group/name).") var project: String?
    @Flag(name: .long, help: "Follow the log and exit with the job's exit code.") var wait = false
    @Flag(name: .long, help: "Print the created job as JSON.") var json = false

    func run() async throws {
        var fields: [String: JSONValue] = [:]
        if let file {
            let bytes: [UInt8]
            do {
                bytes = try file == "-" ? Array(FileHandleInput.readStandardInput()) : Array(FileContentsReader.read(file))
            } catch {
                throw ValidationError("--file: cannot read \(file): \(error)")
            }
            guard case .object(let object) = try JSONValue.parse(bytes) else { throw ValidationError("--file: \(file) must hold a JSON object") }
            fields = object
        }
        if let name { fields["name"] = .string(name) }
        if let image { fields["image"] = .string(image) }
        if !self.script.isEmpty { fields["script"] = .array(self.script.map { .string($0) }) }
        if !self.variable.isEmpty {
            var variables: [String: JSONValue] = [:]
            if case .object(let existing)? = fields["variables"] { variables = existing }
            for pair in self.variable {
                guard let equals = pair.firstIndex(of: "=") else { throw ValidationError("--variable: '\(pair)' is not KEY=VALUE") }
                variables[String(pair[..<equals])] = .string(String(pair[pair.index(after: equals)...]))
            }
            fields["variables"] = .object(variables)
        }
        if let worker { fields["worker"] = .string(worker) }
        if let timeout { fields["timeout"] = .string(timeout) }
        if let project { fields["project"] = .string(project) }
        let body = try JSONCoding.encode(JSONValue.object(fields))

        let client = try self.client.makeClient()
        var exitCode: Int32 = 0
        try await runClient {
            let (job, raw) = try await client.json(.post, "/v1/jobs", body: body)
            let id = job["id"]?.cell ?? "?"
            if self.json { print(String(decoding: raw, as: UTF8.self)) } else if !self.wait { print(id) }
            guard self.wait else { return }
            FileHandleOutput.standardError("job \(id) submitted; following its log")
            try await client.stream("/v1/jobs/\(id)/log?follow=true")
            // The log ends when the job has finished; its final record says how.
            var final = try await client.json(.get, "/v1/jobs/\(id)").0
            while final["status"].map({ ["created", "pending", "running"].contains($0.cell) }) ?? false {
                final = try await client.json(.get, "/v1/jobs/\(id)?wait=30s").0
            }
            let status = final["status"]?.cell ?? "unknown"
            if status == "success" {
                exitCode = 0
            } else if case .number(let code)? = final["exit_code"], code != 0 {
                exitCode = Int32(code)
            } else {
                exitCode = 1
            }
            FileHandleOutput.standardError("job \(id): \(status)\(status == "success" ? "" : " (\(final["failure_reason"]?.cell ?? "-"))")")
        }
        if exitCode != 0 { throw ExitCode(exitCode) }
    }
}
