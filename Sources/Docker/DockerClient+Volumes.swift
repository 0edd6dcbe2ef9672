// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

extension DockerClient {
    /// `POST /volumes/create`. Creating an existing volume returns it unchanged.
    public func createVolume(_ request: VolumeCreateRequest) async throws(DockerError) -> Volume {
        let (fields, body) = try self.jsonBody(request)
        let response = try await self.execute(.post, "/volumes/create", fields: fields, body: body)
        return try await self.decode(Volume.self, response, operation: self.operation(.post, "/volumes/create"))
    }

    /// `GET /volumes/{name}`.
    public func inspectVolume(_ name: String) async throws(DockerError) -> Volume {
        let path = "/volumes/\(DockerQuery.segment(name))"
        return try await self.decode(Volume.self, try await self.execute(.get, path), operation: self.operation(.get, path))
    }

    /// `DELETE /volumes/{name}`. Throws ``DockerError/Code/conflict`` while a container uses
    /// it.
    ///
    /// - Parameter idempotent: a volume that is already gone (404) is a success.
    /// - Returns: `false` if it was already gone (only with `idempotent`).
    @discardableResult
    public func removeVolume(_ name: String, force: Bool = false, idempotent: Bool = false) async throws(DockerError) -> Bool {
        let path = "/volumes/\(DockerQuery.segment(name))"
        var query = DockerQuery()
        query.add("force", force)
        do throws(DockerError) {
            let response = try await self.execute(.delete, path, query: query)
            try await self.drain(response, operation: self.operation(.delete, path))
            return true
        } catch {
            if idempotent, error.code == .notFound { return false }
            throw error
        }
    }

    /// `GET /volumes`, e.g. with `DockerFilters().label("slipway.job", id)` or
    /// `["dangling": ["true"]]`.
    public func listVolumes(filters: DockerFilters? = nil) async throws(DockerError) -> [Volume] {
        struct List: Decodable {
            var volumes: [Volume]?
            enum CodingKeys: String, CodingKey { case volumes = "Volumes" }
        }
        var query = DockerQuery()
        query.add("filters", filters)
        let response = try await self.execute(.get, "/volumes", query: query)
        return try await self.decode(List.self, response, operation: self.operation(.get, "/volumes")).volumes ?? []
    }
}
