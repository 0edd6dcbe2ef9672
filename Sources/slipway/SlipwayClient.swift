// slipway — command line
// SPDX-License-Identifier: Apache-2.0

import API
import ArgumentParser
import FoundationEssentials
import HTTP
import Sockets
#if canImport(Glibc)
import Glibc
#endif

/// The subcommands' HTTP client: one connection to the server, problem documents turned into
/// readable errors.
struct SlipwayClient {
    let client: HTTPClient
    let group: EventLoopGroup
    let token: String?

    init(server: String, token: String?) throws {
        var text = server
        if text.hasPrefix("http://") { text.removeFirst("http://".count) }
        if text.hasPrefix("https://") { throw ValidationError("--server: https is not supported; put a TLS proxy in front or use http://") }
        while text.hasSuffix("/") { text.removeLast() }
        let address: SocketAddress
        do {
            address = try SocketAddress(parsing: text.contains(":") ? text : "\(text):80")
        } catch {
            throw ValidationError("--server: \(error)")
        }
        self.group = try EventLoopGroup(count: 1, namePrefix: "slipway-cli")
        var configuration = HTTPClient.Configuration()
        // A followed log or a long-poll may be quiet for a long time.
        configuration.headTimeout = .seconds(120)
        self.client = HTTPClient(address: address, group: self.group, configuration: configuration)
        self.token = token
    }

    func request(_ method: HTTPMethod, _ target: String, json body: [UInt8]? = nil) -> HTTPClientRequest {
        var fields = HTTPFields()
        if let token { fields.append(name: "Authorization", value: "Bearer \(token)") }
        if body != nil { fields.append(name: "Content-Type", value: "application/json") }
        fields.append(name: "Accept", value: "application/json")
        return HTTPClientRequest(method: method, target: target, fields: fields, body: body.map { .bytes($0) } ?? .none)
    }

    /// Sends a request and returns the JSON body of a 2xx answer; anything else is an error
    /// carrying the server's problem detail.
    func json(_ method: HTTPMethod, _ target: String, body: [UInt8]? = nil) async throws -> (JSONValue, [UInt8]) {
        let (head, bytes) = try await self.client.collect(self.request(method, target, json: body))
        guard (200..<300).contains(head.status.code) else { throw ClientError(status: head.status.code, body: bytes) }
        return ((try? JSONValue.parse(bytes)) ?? .null, bytes)
    }

    /// Streams a 2xx body to standard output as it arrives.
    func stream(_ target: String) async throws {
        let response = try await self.client.execute(self.request(.get, target))
        guard (200..<300).contains(response.status.code) else {
            throw ClientError(status: response.status.code, body: (try? await response.collect(limit: 1 << 20)) ?? [])
        }
        for try await chunk in response {
            chunk.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let written = write(1, raw.baseAddress! + offset, raw.count - offset)
                    if written <= 0 { if errno == EINTR { continue }; return }
                    offset += written
                }
            }
        }
    }
}

/// A non-2xx answer: prints the problem's detail, exits non-zero.
struct ClientError: Error, CustomStringConvertible {
    var status: Int
    var body: [UInt8]

    var description: String {
        if case .object(let fields)? = try? JSONValue.parse(self.body), case .string(let detail)? = fields["detail"] {
            var text = "error: \(detail) (HTTP \(self.status))"
            if case .string(let field)? = fields["field"] { text += " [field: \(field)]" }
            return text
        }
        let text = String(decoding: self.body.prefix(500), as: UTF8.self)
        return "error: HTTP \(self.status)\(text.isEmpty ? "" : ": \(text)")"
    }
}

extension JSONValue {
    subscript(key: String) -> JSONValue? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }

    /// A short text form for tables (`-` for null).
    var cell: String {
        switch self {
        case .null: "-"
        case .bool(let flag): flag ? "true" : "false"
        case .number(let number): number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .string(let text): text
        case .array(let items): items.map(\.cell).joined(separator: ",")
        case .object: "{…}"
        }
    }
}

/// Prints rows as aligned columns.
func printTable(_ header: [String], _ rows: [[String]]) {
    var widths = header.map(\.count)
    for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
    for row in [header] + rows {
        print(row.enumerated().map { index, cell in
            index == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count)
        }.joined(separator: "  "))
    }
}

/// Runs `body` and turns a ``ClientError`` into its message on standard error and exit 1.
func runClient(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as ClientError {
        FileHandleOutput.standardError(error.description)
        throw ExitCode.failure
    } catch let error as HTTPClientError {
        FileHandleOutput.standardError("error: cannot reach the server: \(error)")
        throw ExitCode.failure
    }
}

enum FileHandleOutput {
    static func standardError(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        bytes.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
    }
}
