// slipway — commit status tests
// SPDX-License-Identifier: Apache-2.0

import Foundation
import HTTP
import Sockets
import TestSupport

/// `Tests/python/fake_gitlab.py` on 127.0.0.1: GitLab's status API over HTTPS with a
/// certificate from the test CA, recording requests and answering from a script. Stopped by
/// its PID, never by name.
final class FakeGitLab: Sendable {
    let port: UInt16
    let controlPort: UInt16
    private let helper: HelperProcess
    private let control: HTTPClient

    /// One recorded status request.
    struct Request: Decodable {
        var time: Double
        var path: String
        var headers: [String: String]
        var body: [String: JSONValue]

        var state: String? { self.body["state"]?.string }
        var name: String? { self.body["name"]?.string }
    }

    /// A scripted answer.
    struct Answer: Encodable {
        var status: Int?
        var headers: [String: String]?
        var body: String?
        var drop: Bool?

        static func status(_ code: Int, headers: [String: String]? = nil, body: String? = nil) -> Answer {
            Answer(status: code, headers: headers, body: body)
        }
        static let drop = Answer(drop: true)
        static func cannotTransition(from state: String, via event: String) -> Answer {
            .status(400, body: #"{"message":"Cannot transition status via :\#(event) from :\#(state) (Reason(s): Status cannot transition via \"\#(event)\")"}"#)
        }
    }

    /// `https://localhost:PORT`: the certificate is for `localhost` and `127.0.0.1`.
    var url: String { "https://localhost:\(self.port)" }

    private init(port: UInt16, controlPort: UInt16, helper: HelperProcess) {
        self.port = port
        self.controlPort = controlPort
        self.helper = helper
        self.control = HTTPClient(address: .ipv4(host: "127.0.0.1", port: controlPort), group: sharedTestGroup)
    }

    /// Runs `body` against a fresh fake serving `certificate` (default: valid for localhost).
    static func with<Result>(certificate: TestPKI.Leaf = .localhost, _ body: (FakeGitLab, TestPKI) async throws -> Result) async throws -> Result {
        let pki = try await TestPKI.shared()
        let server = try await Self.start(pki: pki, certificate: certificate)
        do {
            let result = try await body(server, pki)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    private static func start(pki: TestPKI, certificate: TestPKI.Leaf) async throws -> FakeGitLab {
        let (helper, ports) = try await HelperProcess.start(
            ProcessRunner.python, ["\(ProcessRunner.repositoryRoot)/Tests/python/fake_gitlab.py", "--cert", pki.certificateFile(certificate), "--key", pki.keyFile]
        ) { line -> (UInt16, UInt16)? in
            // "PORT <port> CONTROL <port>"
            let words = line.split(separator: " ")
            guard words.count == 4, words[0] == "PORT", let port = UInt16(words[1]), let control = UInt16(words[3]) else { return nil }
            return (port, control)
        }
        return FakeGitLab(port: ports.0, controlPort: ports.1, helper: helper)
    }

    func stop() async {
        await self.helper.stop()
    }

    // MARK: - Control

    /// Every status request so far, oldest first.
    func requests() async throws -> [Request] {
        let (_, body) = try await self.control.collect(HTTPClientRequest(target: "/requests"))
        return try JSONDecoder().decode([Request].self, from: Data(body))
    }

    /// The next status requests get `answers`, in order.
    func script(_ answers: [Answer]) async throws {
        try await self.post("/script", JSONEncoder().encode(answers))
    }

    /// Status requests get `answer` once the script is used up.
    func setDefault(_ answer: Answer) async throws {
        try await self.post("/default", JSONEncoder().encode(answer))
    }

    private func post(_ path: String, _ body: Data) async throws {
        let (head, _) = try await self.control.collect(HTTPClientRequest(method: .post, target: path, fields: ["Content-Type": "application/json"], body: .bytes(Array(body))))
        guard head.status.code == 200 else { throw ProcessRunnerError(message: "fake GitLab control \(path) answered \(head.status.code)") }
    }

    /// Waits (up to `timeout`) until `condition` holds for the recorded requests; returns them.
    @discardableResult
    func waitForRequests(timeout: Duration = .seconds(60), _ condition: ([Request]) -> Bool) async throws -> [Request] {
        var requests: [Request] = []
        do {
            try await waitUntil("status requests", timeout: timeout, interval: .milliseconds(25)) {
                requests = try await self.requests()
                return condition(requests)
            }
        } catch is WaitTimedOut {
            throw ProcessRunnerError(message: "timed out waiting for status requests; got \(requests.map { "\($0.name ?? "?"):\($0.state ?? "?")" })")
        }
        return requests
    }
}

/// A JSON value in a recorded body.
enum JSONValue: Decodable, Equatable {
    case string(String), number(Double), bool(Bool), null, other

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else { self = .other }
    }

    var string: String? { if case .string(let value) = self { return value }; return nil }
    var number: Double? { if case .number(let value) = self { return value }; return nil }
}
