// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

extension DockerClient {
    private struct IDResponse: Decodable {
        var id: String
        enum CodingKeys: String, CodingKey { case id = "Id" }
    }

    /// `POST /containers/{id}/exec`: prepares a command in a running container. Throws
    /// ``DockerError/Code/conflict`` when the container is stopped or paused.
    ///
    /// - Returns: the exec's ID.
    public func createExec(in container: String, _ request: ExecCreateRequest) async throws(DockerError) -> String {
        let path = "/containers/\(DockerQuery.segment(container))/exec"
        let (fields, body) = try self.jsonBody(request)
        let response = try await self.execute(.post, path, fields: fields, body: body)
        return try await self.decode(IDResponse.self, response, operation: self.operation(.post, path)).id
    }

    /// `POST /exec/{id}/start`, attached: the command's output (and stdin, if created with
    /// `attachStdin`) over a hijacked connection that the engine closes when the command ends.
    public func startExec(_ id: String, tty: Bool = false, idleTimeout: Duration? = nil) async throws(DockerError) -> DockerAttachment {
        let path = "/exec/\(DockerQuery.segment(id))/start"
        let (fields, body) = try self.jsonBody(ExecStart(detach: false, tty: tty))
        let response = try await self.execute(.post, path, fields: fields, body: body)
        return try self.hijack(response, multiplexed: !tty, idleTimeout: idleTimeout, operation: self.operation(.post, path))
    }

    /// `POST /exec/{id}/start` with `Detach`: starts the command and returns at once.
    public func startExecDetached(_ id: String) async throws(DockerError) {
        let path = "/exec/\(DockerQuery.segment(id))/start"
        let (fields, body) = try self.jsonBody(ExecStart(detach: true, tty: false))
        let response = try await self.execute(.post, path, fields: fields, body: body)
        try await self.drain(response, operation: self.operation(.post, path))
    }

    /// `GET /exec/{id}/json`: whether it runs, and its exit code once it ended.
    public func inspectExec(_ id: String) async throws(DockerError) -> ExecInspect {
        let path = "/exec/\(DockerQuery.segment(id))/json"
        return try await self.decode(ExecInspect.self, try await self.execute(.get, path), operation: self.operation(.get, path))
    }

    /// Runs `command` in a running container and returns its exit code and output: create,
    /// start attached, read to the end, inspect.
    public func exec(in container: String, _ command: [String], env: [String]? = nil, workingDir: String? = nil, user: String? = nil, outputLimit: Int = 16 * 1024 * 1024, timeout: Duration? = nil) async throws(DockerError) -> ExecResult {
        let id = try await self.createExec(in: container, ExecCreateRequest(cmd: command, env: env, workingDir: workingDir, user: user))
        let attachment = try await self.startExec(id, idleTimeout: timeout)
        let output = try await attachment.output.collect(limit: outputLimit)
        // The engine closes the stream when the process exits, and records the exit code just
        // before; poll briefly in case the record lags.
        for _ in 0..<100 {
            let state = try await self.inspectExec(id)
            if !state.running, let code = state.exitCode { return ExecResult(exitCode: code, output: output) }
            do {
                try await Task.sleep(for: .milliseconds(10))
            } catch {
                throw DockerError(.cancelled, "the exec was cancelled")
            }
        }
        throw DockerError(.invalidResponse, "the exec \(id) ended its output but reports no exit code", operation: self.operation(.get, "/exec/\(id)/json"))
    }

    private struct ExecStart: Encodable {
        var detach: Bool
        var tty: Bool
        enum CodingKeys: String, CodingKey {
            case detach = "Detach"
            case tty = "Tty"
        }
    }
}
