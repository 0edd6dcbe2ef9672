// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

extension DockerClient {
    /// `GET /containers/{id}/archive?path=…`: a file or directory of the container as a tar
    /// stream (the archive's top entry is the path's last component). Read it with
    /// ``TarReader``.
    ///
    /// - Returns: the path's metadata and the tar.
    public func getArchive(_ container: String, path: String) async throws(DockerError) -> (stat: PathStat?, tar: DockerByteStream) {
        let route = "/containers/\(DockerQuery.segment(container))/archive"
        var query = DockerQuery()
        query.add("path", path)
        let response = try await self.execute(.get, route, query: query)
        let stat = response.fields["x-docker-container-path-stat"].flatMap(PathStat.init(header:))
        return (stat, self.byteStream(response, idleTimeout: self.configuration.requestTimeout, operation: self.operation(.get, route)))
    }

    /// `HEAD /containers/{id}/archive?path=…`: a path's metadata, or
    /// ``DockerError/Code/notFound``.
    public func statPath(_ container: String, path: String) async throws(DockerError) -> PathStat {
        let route = "/containers/\(DockerQuery.segment(container))/archive"
        var query = DockerQuery()
        query.add("path", path)
        let response = try await self.execute(.head, route, query: query)
        guard let stat = response.fields["x-docker-container-path-stat"].flatMap(PathStat.init(header:)) else {
            throw DockerError(.invalidResponse, "no valid X-Docker-Container-Path-Stat header", status: response.status.code, operation: self.operation(.head, route))
        }
        return stat
    }

    /// `PUT /containers/{id}/archive?path=…`: extracts a tar into the container under `path`,
    /// which must be an existing directory. Works on a created, not yet started container.
    /// Throws ``DockerError/Code/forbidden`` when the target is read-only.
    ///
    /// - Parameters:
    ///   - noOverwriteDirNonDir: refuse to replace a directory with a file or the reverse.
    ///   - copyUIDGID: take owners from the tar as container user and group IDs.
    public func putArchive(_ container: String, path: String, tar: DockerRequestBody, noOverwriteDirNonDir: Bool = false, copyUIDGID: Bool = false) async throws(DockerError) {
        let route = "/containers/\(DockerQuery.segment(container))/archive"
        var query = DockerQuery()
        query.add("path", path)
        query.add("noOverwriteDirNonDir", noOverwriteDirNonDir)
        query.add("copyUIDGID", copyUIDGID)
        let response = try await self.execute(.put, route, query: query, fields: ["Content-Type": "application/x-tar"], body: tar.http, timeout: .none)
        try await self.drain(response, operation: self.operation(.put, route))
    }
}
