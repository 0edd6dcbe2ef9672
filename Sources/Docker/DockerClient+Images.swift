// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

import HTTP

extension DockerClient {
    /// `GET /images/{name}/json`. Throws ``DockerError/Code/notFound`` (`No such image: …`)
    /// when the image is not present.
    public func inspectImage(_ name: String) async throws(DockerError) -> ImageInspect {
        let path = "/images/\(DockerQuery.imageSegment(name))/json"
        return try await self.decode(ImageInspect.self, try await self.execute(.get, path), operation: self.operation(.get, path))
    }

    /// Whether the image is present (a 404 from inspect is `false`).
    public func imageExists(_ name: String) async throws(DockerError) -> Bool {
        do throws(DockerError) {
            _ = try await self.inspectImage(name)
            return true
        } catch {
            if error.code == .notFound { return false }
            throw error
        }
    }

    /// `DELETE /images/{name}`: untags and deletes.
    ///
    /// - Parameter idempotent: a missing image is a success (an empty answer) instead of
    ///   ``DockerError/Code/notFound``.
    @discardableResult
    public func removeImage(_ name: String, force: Bool = false, noPrune: Bool = false, idempotent: Bool = false) async throws(DockerError) -> [ImageDeleteItem] {
        let path = "/images/\(DockerQuery.imageSegment(name))"
        var query = DockerQuery()
        query.add("force", force)
        query.add("noprune", noPrune)
        do throws(DockerError) {
            return try await self.decode([ImageDeleteItem].self, try await self.execute(.delete, path, query: query), operation: self.operation(.delete, path))
        } catch {
            if idempotent, error.code == .notFound { return [] }
            throw error
        }
    }

    /// `GET /images/{name}/get`: the image (or several, space-separated… pass one) as a
    /// `docker save` tar, streamed. Relay it into another daemon with
    /// `loadImage(.relay(stream))`.
    public func exportImage(_ name: String) async throws(DockerError) -> DockerByteStream {
        let path = "/images/\(DockerQuery.imageSegment(name))/get"
        let response = try await self.execute(.get, path)
        return self.byteStream(response, idleTimeout: self.configuration.requestTimeout, operation: self.operation(.get, path))
    }

    /// `POST /images/load`: loads a `docker save` tar (air-gapped deployments). The answer
    /// streams once the engine has read the tar; failures come inside it.
    ///
    /// ```swift
    /// let result = try await docker.loadImage(.relay(try await other.exportImage("busybox")))
    ///     .waitUntilFinished()
    /// print(result.loadedImages)   // ["busybox:latest"]
    /// ```
    public func loadImage(_ tar: DockerRequestBody, quiet: Bool = true) async throws(DockerError) -> DockerJSONStream<ProgressMessage> {
        var query = DockerQuery()
        query.add("quiet", quiet)
        let response = try await self.execute(.post, "/images/load", query: query, fields: ["Content-Type": "application/x-tar"], body: tar.http, timeout: .none)
        return self.progressStream(response, operation: self.operation(.post, "/images/load"))
    }

    /// `POST /images/create?fromSrc=-`: creates an image from a tar of a root filesystem
    /// (`docker import`).
    ///
    /// - Parameters:
    ///   - repository: the new image's name, e.g. `slipway-test/busybox`.
    ///   - changes: Dockerfile instructions applied on top, e.g. `CMD ["sh"]`, `ENV A=b`.
    public func importImage(_ rootfs: DockerRequestBody, repository: String, tag: String = "latest", changes: [String] = [], message: String? = nil) async throws(DockerError) -> DockerJSONStream<ProgressMessage> {
        var query = DockerQuery()
        query.add("fromSrc", "-")
        query.add("repo", repository)
        query.add("tag", tag)
        query.add("message", message)
        for change in changes { query.add("changes", change) }
        let response = try await self.execute(.post, "/images/create", query: query, fields: ["Content-Type": "application/x-tar"], body: rootfs.http, timeout: .none)
        return self.progressStream(response, operation: self.operation(.post, "/images/create"))
    }

    /// `POST /images/create?fromImage=…&tag=…`: pulls an image from its registry.
    ///
    /// A tag is always sent (`latest` when the reference has neither tag nor digest): an empty
    /// tag would pull every tag of the repository. The engine reports most failures (unknown
    /// manifest, denied, unreachable registry) inside the 200 stream; reading it to the end
    /// (``DockerJSONStream/waitUntilFinished(_:)``) throws them as
    /// ``DockerError/Code/operationFailed``. Closing the stream cancels the pull.
    ///
    /// - Parameters:
    ///   - reference: `name`, `name:tag` or `name@sha256:…`.
    ///   - platform: e.g. `linux/amd64`.
    public func pullImage(_ reference: String, auth: RegistryAuth? = nil, platform: String? = nil) async throws(DockerError) -> DockerJSONStream<ProgressMessage> {
        let (name, tag) = try Self.splitReference(reference)
        var query = DockerQuery()
        query.add("fromImage", name)
        query.add("tag", tag)
        query.add("platform", platform)
        var fields = HTTPFields()
        if let auth { fields.append(name: "X-Registry-Auth", value: auth.headerValue) }
        let response = try await self.execute(.post, "/images/create", query: query, fields: fields, timeout: .none)
        return self.progressStream(response, operation: self.operation(.post, "/images/create"))
    }

    /// Splits `repo[:tag][@digest]` into the engine's `fromImage` and `tag` (a digest goes in
    /// `tag`, as the Docker CLI does).
    static func splitReference(_ reference: String) throws(DockerError) -> (name: String, tag: String) {
        if let at = reference.firstIndex(of: "@") {
            let name = String(reference[..<at])
            let digest = String(reference[reference.index(after: at)...])
            guard !name.isEmpty, !digest.isEmpty else { throw DockerError(.invalidArgument, "invalid image reference '\(reference)'") }
            // A tag before the digest is ignored by the engine; drop it from the name.
            return (Self.splitTag(name).name, digest)
        }
        let (name, tag) = Self.splitTag(reference)
        guard !name.isEmpty else { throw DockerError(.invalidArgument, "invalid image reference '\(reference)'") }
        return (name, tag ?? "latest")
    }

    private static func splitTag(_ reference: String) -> (name: String, tag: String?) {
        // The tag's colon comes after the last slash; an earlier one is a registry port.
        let lastSlash = reference.lastIndex(of: "/")
        if let colon = reference.lastIndex(of: ":"), lastSlash.map({ colon > $0 }) ?? true {
            return (String(reference[..<colon]), String(reference[reference.index(after: colon)...]))
        }
        return (reference, nil)
    }
}
