// slipway — webhook tests
// SPDX-License-Identifier: Apache-2.0

import API
import Application
import Foundation
import HTTP
import Jobs
import Logging
import Store
import Synchronization
import TestSupport

/// A real slipway (in this process) on `127.0.0.1:0` with its store in a temporary directory,
/// configured with GitLab projects; optionally on the private Docker daemon.
struct WebhookServer {
    let application: SlipwayApplication
    let directory: String
    let client: HTTPClient
    let logs: LogCapture
    /// Every response body this server gave, for leak checks.
    let responses = ResponseTexts()

    static let hookToken = "hook-token-0123456789"
    static let cloneToken = "clone-token-NEVER-SHOWN-4f2a9c"
    static let maskedValue = "masked-value-8d1e77c0"

    /// - Parameters:
    ///   - yaml: configuration text (projects, gitlab, workers) merged over the test defaults.
    ///   - docker: the Docker host jobs run on; `nil`: a socket that does not exist.
    static func start(yaml: String, docker: String? = nil) async throws -> WebhookServer {
        let directory = "/tmp/slipway-webhook-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var configuration = try SlipwayConfiguration.parse(yaml: yaml)
        configuration.listen = [.ipv4(host: "127.0.0.1", port: 0)]
        configuration.dataDirectory = "\(directory)/data"
        configuration.dockerHost = docker ?? "unix://\(directory)/no-docker.sock"
        configuration.http.eventLoops = 2
        configuration.workers.host.network = "none"
        configuration.workers.stopGracePeriod = .seconds(1)
        let logs = LogCapture()
        let logger = logs.logger(label: "slipway-webhook-test", level: .debug)
        let application = try await SlipwayApplication(configuration: configuration, logger: logger)
        let addresses = try await application.start()
        let client = makeTestClient(.ipv4(host: "127.0.0.1", port: addresses[0].port ?? 0))
        return WebhookServer(application: application, directory: directory, client: client, logs: logs)
    }

    func stop() async {
        await self.application.shutdown()
        try? FileManager.default.removeItem(atPath: self.directory)
    }

    var dataDirectory: String { "\(self.directory)/data" }

    /// A response with its body collected; `text` keeps every byte for leak checks.
    struct Response {
        var status: Int
        var fields: HTTPFields
        var body: [UInt8]
        var text: String { String(decoding: self.body, as: UTF8.self) }
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(self.body))) as? [String: Any] ?? [:] }
    }

    func request(_ method: HTTPMethod = .get, _ target: String, body: [UInt8]? = nil, fields extra: [(String, String)] = []) async throws -> Response {
        var fields = HTTPFields()
        if body != nil { fields.append(name: "Content-Type", value: "application/json") }
        for (name, value) in extra { fields.append(name: name, value: value) }
        let request = HTTPClientRequest(method: method, target: target, fields: fields, body: body.map { .bytes($0) } ?? .none)
        let (head, bytes) = try await self.client.collect(request)
        let response = Response(status: head.status.code, fields: head.fields, body: bytes)
        self.responses.append(response.text)
        return response
    }


    /// Posts a webhook as GitLab does.
    func deliver(_ body: [UInt8], event: String, token: String? = WebhookServer.hookToken, key: String? = UUID().uuidString) async throws -> Response {
        var fields = [("X-Gitlab-Event", event), ("User-Agent", "GitLab/17.5.1"), ("X-Gitlab-Webhook-UUID", UUID().uuidString)]
        if let token { fields.append(("X-Gitlab-Token", token)) }
        if let key { fields.append(("X-Gitlab-Event-UUID", key)) }
        return try await self.request(.post, "/webhooks/gitlab", body: body, fields: fields)
    }

    /// The pipeline as `GET /v1/pipelines/{id}` shows it.
    func pipeline(_ id: Int) async throws -> [String: Any] {
        try await self.request(.get, "/v1/pipelines/\(id)").json
    }

    /// Waits until pipeline `id` has finished (or `timeout` passes) and returns it.
    func waitForPipeline(_ id: Int, timeout: Duration = .seconds(90), until done: ([String: Any]) -> Bool = { pipeline in
        ["success", "failed", "canceled", "skipped"].contains(pipeline["status"] as? String ?? "")
    }) async throws -> [String: Any] {
        var pipeline: [String: Any] = [:]
        _ = try await eventually(timeout: timeout, interval: .milliseconds(100)) {
            pipeline = try await self.pipeline(id)
            return done(pipeline)
        }
        return pipeline
    }

    func log(ofJob id: Int) async throws -> String {
        try await self.request(.get, "/v1/jobs/\(id)/log").text
    }
}


/// The bodies of every response a ``WebhookServer`` gave.
final class ResponseTexts: Sendable {
    private let texts = Mutex<[String]>([])
    func append(_ text: String) { self.texts.withLock { $0.append(text) } }
    var all: [String] { self.texts.withLock { $0 } }
}

/// GitLab's documented payloads (Tests/GitLabTests/Fixtures).
enum Fixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("GitLabTests/Fixtures").path

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: "\(self.directory)/\(name).json")))
    }

    /// The fixture with `edit` applied to its JSON object.
    static func edited(_ name: String, _ edit: (inout [String: Any]) -> Void) throws -> [UInt8] {
        var object = try JSONSerialization.jsonObject(with: Data(try self.bytes(name))) as! [String: Any]
        edit(&object)
        return Array(try JSONSerialization.data(withJSONObject: object))
    }
}
