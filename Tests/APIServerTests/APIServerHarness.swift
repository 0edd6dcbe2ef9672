// slipway — API server tests
// SPDX-License-Identifier: Apache-2.0

import API
import Application
import Foundation
import HTTP
import Jobs
import Logging
import Sockets
import Store
import Synchronization
import TestSupport

/// Runs `body` against a started ``APIServer`` and stops it on every path, awaiting the stop.
func withAPIServer<T>(configure: (inout SlipwayConfiguration) -> Void = { _ in }, _ body: (APIServer) async throws -> T) async throws -> T {
    let server = try await APIServer.start(configure: configure)
    do {
        let result = try await body(server)
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
    }
}

/// A real slipway server on `127.0.0.1:0` with a real SQLite store in a temporary directory.
/// The Docker engine points at a socket that does not exist: submitted jobs stay pending, and
/// tests move jobs through their states through the store, as the scheduler would.
struct APIServer {
    let application: SlipwayApplication
    let directory: String
    let port: UInt16
    let client: HTTPClient
    let logs: LogCapture

    static let submitToken = "submit-token-0123456789abcdef"
    static let readToken = "read-token-0123456789abcdef"
    static let adminToken = "admin-token-0123456789abcdef"

    /// Starts a server; `configure` adjusts the configuration (tokens, events) first.
    static func start(configure: (inout SlipwayConfiguration) -> Void = { _ in }) async throws -> APIServer {
        let directory = "/tmp/slipway-api-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var configuration = SlipwayConfiguration()
        configuration.listen = [.ipv4(host: "127.0.0.1", port: 0)]
        configuration.dataDirectory = "\(directory)/data"
        configuration.dockerHost = "unix://\(directory)/no-docker.sock"
        configuration.http.eventLoops = 2
        configuration.workers.host.allowAPISubmissions = true
        configuration.api.events.heartbeatInterval = .milliseconds(500)
        configure(&configuration)
        let logs = LogCapture()
        let logger = logs.logger(label: "slipway-test", level: .debug)
        let application = try await SlipwayApplication(configuration: configuration, logger: logger)
        let addresses = try await application.start()
        let port = addresses[0].port ?? 0
        let client = makeTestClient(.ipv4(host: "127.0.0.1", port: port))
        return APIServer(application: application, directory: directory, port: port, client: client, logs: logs)
    }

    /// The same configuration with tokens for each scope.
    static func withTokens(anonymousRead: Bool = false) -> (inout SlipwayConfiguration) -> Void {
        { configuration in
            configuration.api.tokens = [
                APIToken(name: "reader", secret: Self.readToken, scope: .read),
                APIToken(name: "ci", secret: Self.submitToken, scope: .submit),
                APIToken(name: "ops", secret: Self.adminToken, scope: .admin),
            ]
            configuration.api.anonymousRead = anonymousRead
        }
    }

    var baseURL: String { "http://127.0.0.1:\(self.port)" }
    var store: SQLiteJobStore { self.application.store }

    func stop() async {
        await self.application.shutdown()
        try? FileManager.default.removeItem(atPath: self.directory)
    }

    /// A response, its body collected.
    struct Response {
        var status: Int
        var fields: HTTPFields
        var body: [UInt8]
        var text: String { String(decoding: self.body, as: UTF8.self) }
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(self.body))) as? [String: Any] ?? [:] }
    }

    func request(_ method: HTTPMethod = .get, _ target: String, body: String? = nil, token: String? = nil,
                 fields extra: [(String, String)] = []) async throws -> Response {
        var fields = HTTPFields()
        if let token { fields.append(name: "Authorization", value: "Bearer \(token)") }
        if body != nil { fields.append(name: "Content-Type", value: "application/json") }
        for (name, value) in extra { fields.append(name: name, value: value) }
        let request = HTTPClientRequest(method: method, target: target, fields: fields, body: body.map { .bytes(Array($0.utf8)) } ?? .none)
        let (head, bytes) = try await self.client.collect(request)
        return Response(status: head.status.code, fields: head.fields, body: bytes)
    }

    // MARK: - Jobs through the store

    static func specification(name: String = "build", worker: WorkerKind = .host, project: String? = "group/app", ref: String? = "main",
                              pipelineID: Int64? = nil) -> JobSpecification {
        JobSpecification(name: name, image: "busybox", script: ["true"], worker: worker, project: project, pipelineID: pipelineID, ref: ref)
    }

    /// Inserts a job and moves it to `status` as the scheduler would, publishing each change.
    @discardableResult
    func insertJob(_ specification: JobSpecification = APIServer.specification(), status: JobStatus, at time: Date = Date()) async throws -> Job {
        let initial: JobStatus = status == .created ? .created : (status == .pending ? .pending : .pending)
        var job = try await self.store.insert(specification, status: initial, at: time)
        self.application.events.jobChanged(job)
        let path: [JobEvent]
        switch status {
        case .created, .pending: path = []
        case .running: path = [.start]
        case .success: path = [.start, .succeed]
        case .failed: path = [.start, .fail(.scriptFailure, exitCode: 3)]
        case .canceled: path = [.cancel(.canceledByUser)]
        case .skipped: path = [.skip]
        }
        for event in path {
            job = try await self.store.apply(event, to: job.id, at: Date())
            self.application.events.jobChanged(job)
        }
        return job
    }

    func apply(_ event: JobEvent, to id: JobID) async throws -> Job {
        let job = try await self.store.apply(event, to: id, at: Date())
        self.application.events.jobChanged(job)
        return job
    }
}
