// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

extension DockerClient {
    /// `POST /containers/create`. Throws ``DockerError/Code/notFound`` for a missing image
    /// and ``DockerError/Code/conflict`` for a name in use.
    public func createContainer(_ request: ContainerCreateRequest, name: String? = nil, platform: String? = nil) async throws(DockerError) -> ContainerCreateResponse {
        var query = DockerQuery()
        query.add("name", name)
        query.add("platform", platform)
        let (fields, body) = try self.jsonBody(request)
        let response = try await self.execute(.post, "/containers/create", query: query, fields: fields, body: body)
        return try await self.decode(ContainerCreateResponse.self, response, operation: self.operation(.post, "/containers/create"))
    }

    /// `POST /containers/{id}/start`.
    ///
    /// - Parameter idempotent: an already running container (304) is a success.
    /// - Returns: `false` if it was already running (only with `idempotent`).
    @discardableResult
    public func startContainer(_ id: String, idempotent: Bool = false) async throws(DockerError) -> Bool {
        let path = "/containers/\(DockerQuery.segment(id))/start"
        do throws(DockerError) {
            let response = try await self.execute(.post, path)
            try await self.drain(response, operation: self.operation(.post, path))
            return true
        } catch {
            if idempotent, error.code == .notModified { return false }
            throw error
        }
    }

    /// `POST /containers/{id}/stop`: the stop signal (the container's `StopSignal`, SIGTERM
    /// by default), then SIGKILL after `timeout` seconds.
    ///
    /// - Parameters:
    ///   - timeout: the grace period in seconds (`nil`: the container's `StopTimeout`, 10 s
    ///     by default).
    ///   - signal: another first signal (API 1.42 and later).
    ///   - idempotent: an already stopped container (304) is a success.
    /// - Returns: `false` if it was already stopped (only with `idempotent`).
    @discardableResult
    public func stopContainer(_ id: String, timeout: Int? = nil, signal: String? = nil, idempotent: Bool = false) async throws(DockerError) -> Bool {
        let path = "/containers/\(DockerQuery.segment(id))/stop"
        var query = DockerQuery()
        query.add("t", timeout)
        if let signal {
            let version = try await self.apiVersion()
            guard version >= DockerAPIVersion.stopSignal else {
                throw DockerError(.unsupportedVersion, "stop with a signal needs Engine API \(DockerAPIVersion.stopSignal); the daemon at \(self.host) speaks \(version) (set StopSignal at create instead)", operation: self.operation(.post, path))
            }
            query.add("signal", signal)
        }
        // The answer comes once the container has stopped: allow the grace period.
        let wait: HeadTimeout = timeout.map { .after(self.configuration.requestTimeout + .seconds($0)) } ?? .none
        do throws(DockerError) {
            let response = try await self.execute(.post, path, query: query, timeout: wait)
            try await self.drain(response, operation: self.operation(.post, path))
            return true
        } catch {
            if idempotent, error.code == .notModified { return false }
            throw error
        }
    }

    /// `POST /containers/{id}/kill`.
    ///
    /// - Parameters:
    ///   - signal: e.g. `SIGKILL` (default), `SIGTERM`, `SIGINT`.
    ///   - idempotent: a container that is not running (409) is a success.
    /// - Returns: `false` if it was not running (only with `idempotent`).
    @discardableResult
    public func killContainer(_ id: String, signal: String = "SIGKILL", idempotent: Bool = false) async throws(DockerError) -> Bool {
        let path = "/containers/\(DockerQuery.segment(id))/kill"
        var query = DockerQuery()
        query.add("signal", signal)
        do throws(DockerError) {
            let response = try await self.execute(.post, path, query: query)
            try await self.drain(response, operation: self.operation(.post, path))
            return true
        } catch {
            if idempotent, error.code == .conflict, error.message.contains("is not running") { return false }
            throw error
        }
    }

    /// `DELETE /containers/{id}`.
    ///
    /// - Parameters:
    ///   - force: kill it first if it runs.
    ///   - removeVolumes: also remove its anonymous volumes (a dind daemon's
    ///     `/var/lib/docker` leaks otherwise). Named volumes stay.
    ///   - idempotent: a container that is already gone (404) is a success.
    /// - Returns: `false` if it was already gone (only with `idempotent`).
    @discardableResult
    public func removeContainer(_ id: String, force: Bool = false, removeVolumes: Bool = false, idempotent: Bool = false) async throws(DockerError) -> Bool {
        let path = "/containers/\(DockerQuery.segment(id))"
        var query = DockerQuery()
        query.add("force", force)
        query.add("v", removeVolumes)
        do throws(DockerError) {
            let response = try await self.execute(.delete, path, query: query, timeout: force ? .after(self.configuration.requestTimeout * 2) : .standard)
            try await self.drain(response, operation: self.operation(.delete, path))
            return true
        } catch {
            if idempotent, error.code == .notFound { return false }
            throw error
        }
    }

    /// `POST /containers/{id}/wait`, registered: returns once the engine is waiting (the head
    /// of its answer arrived). Get the exit code with ``PendingContainerWait/result(timeout:)``.
    public func registerWait(_ id: String, condition: ContainerWaitResult.Condition = .notRunning) async throws(DockerError) -> PendingContainerWait {
        let path = "/containers/\(DockerQuery.segment(id))/wait"
        var query = DockerQuery()
        query.add("condition", condition.rawValue)
        let response = try await self.execute(.post, path, query: query)
        return PendingContainerWait(response: response, client: self, operation: self.operation(.post, path))
    }

    /// `POST /containers/{id}/wait`: blocks until the condition is met and returns the exit
    /// code.
    ///
    /// - Parameter timeout: longest wait (`nil`: no limit).
    public func waitContainer(_ id: String, condition: ContainerWaitResult.Condition = .notRunning, timeout: Duration? = nil) async throws(DockerError) -> ContainerWaitResult {
        try await self.registerWait(id, condition: condition).result(timeout: timeout)
    }

    /// `GET /containers/{id}/json`.
    public func inspectContainer(_ id: String) async throws(DockerError) -> ContainerInspect {
        let path = "/containers/\(DockerQuery.segment(id))/json"
        return try await self.decode(ContainerInspect.self, try await self.execute(.get, path), operation: self.operation(.get, path))
    }

    /// `GET /containers/json`.
    ///
    /// - Parameters:
    ///   - all: include stopped containers (not only running ones).
    ///   - filters: e.g. `DockerFilters().label("slipway.managed", "true")`.
    public func listContainers(all: Bool = true, filters: DockerFilters? = nil, limit: Int? = nil) async throws(DockerError) -> [ContainerSummary] {
        var query = DockerQuery()
        query.add("all", all)
        query.add("limit", limit)
        query.add("filters", filters)
        let response = try await self.execute(.get, "/containers/json", query: query)
        return try await self.decode([ContainerSummary].self, response, operation: self.operation(.get, "/containers/json"))
    }

    /// Force-removes every container (running or not) that `filters` match, with its
    /// anonymous volumes: the reaper for what an earlier run left behind.
    ///
    /// - Returns: the IDs removed (containers that vanished meanwhile are not errors).
    @discardableResult
    public func removeContainers(matching filters: DockerFilters) async throws(DockerError) -> [String] {
        var removed: [String] = []
        for container in try await self.listContainers(all: true, filters: filters) {
            if try await self.removeContainer(container.id, force: true, removeVolumes: true, idempotent: true) {
                removed.append(container.id)
            }
        }
        return removed
    }
}
