// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

extension DockerClient {
    private struct NetworkCreateRequest: Encodable {
        var name: String
        var driver: String?
        var isInternal: Bool?
        var labels: [String: String]?

        enum CodingKeys: String, CodingKey {
            case name = "Name"
            case driver = "Driver"
            case isInternal = "Internal"
            case labels = "Labels"
        }
    }

    private struct IDResponse: Decodable {
        var id: String
        enum CodingKeys: String, CodingKey { case id = "Id" }
    }

    /// `POST /networks/create`; returns the network's ID.
    public func createNetwork(_ name: String, driver: String? = nil, isInternal: Bool? = nil, labels: [String: String]? = nil) async throws(DockerError) -> String {
        let (fields, body) = try self.jsonBody(NetworkCreateRequest(name: name, driver: driver, isInternal: isInternal, labels: labels))
        let response = try await self.execute(.post, "/networks/create", fields: fields, body: body)
        return try await self.decode(IDResponse.self, response, operation: self.operation(.post, "/networks/create")).id
    }

    /// `GET /networks/{id}`: by name, ID or ID prefix.
    public func inspectNetwork(_ reference: String) async throws(DockerError) -> Network {
        let path = "/networks/\(DockerQuery.segment(reference))"
        return try await self.decode(Network.self, try await self.execute(.get, path), operation: self.operation(.get, path))
    }

    /// `GET /networks`, e.g. with `DockerFilters().label("slipway.job", id)`.
    public func listNetworks(filters: DockerFilters? = nil) async throws(DockerError) -> [Network] {
        var query = DockerQuery()
        query.add("filters", filters)
        let response = try await self.execute(.get, "/networks", query: query)
        return try await self.decode([Network].self, response, operation: self.operation(.get, "/networks"))
    }

    /// `DELETE /networks/{id}`. Throws ``DockerError/Code/forbidden`` or
    /// ``DockerError/Code/serverError`` while containers use it.
    ///
    /// - Parameter idempotent: a network that is already gone (404) is a success.
    /// - Returns: `false` if it was already gone (only with `idempotent`).
    @discardableResult
    public func removeNetwork(_ reference: String, idempotent: Bool = false) async throws(DockerError) -> Bool {
        let path = "/networks/\(DockerQuery.segment(reference))"
        do throws(DockerError) {
            let response = try await self.execute(.delete, path)
            try await self.drain(response, operation: self.operation(.delete, path))
            return true
        } catch {
            if idempotent, error.code == .notFound { return false }
            throw error
        }
    }
}
