// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

/// Why a Docker Engine API call failed: the engine's own answer (HTTP status and message, such
/// as `404 No such image: busybox:latest`), an error reported inside a streamed response
/// (pull, build, load), or a transport failure (daemon unreachable, timed out, gone
/// mid-stream).
///
/// Match on ``code``; show ``description`` to people:
///
/// ```swift
/// do {
///     _ = try await docker.inspectImage("app:1")
/// } catch let error as DockerError where error.code == .notFound {
///     try await docker.pullImage("app", tag: "1").waitUntilFinished()
/// }
/// ```
public struct DockerError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public var code: Code
    /// The HTTP status the engine answered with; `nil` when it never answered (or the failure
    /// came later, inside a 200 stream).
    public var status: Int?
    /// The engine's message verbatim when it sent one (`No such container: …`), otherwise
    /// slipway's explanation.
    public var message: String
    /// The call that failed, e.g. `POST /v1.41/containers/create`.
    public var operation: String?
    /// The lower-level error (socket, HTTP client), if any.
    public var underlying: (any Error)?

    /// An error of `code`; engine errors carry the HTTP `status` and the failed `operation`.
    public init(_ code: Code, _ message: String, status: Int? = nil, operation: String? = nil, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.status = status
        self.operation = operation
        self.underlying = underlying
    }

    public var description: String {
        var text = "docker"
        if let operation { text += " \(operation)" }
        text += ": "
        if let status { text += "\(status) " }
        text += self.message
        if let underlying { text += " (\(underlying))" }
        return text
    }
}
