// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials

extension DockerClient {
    /// `POST /build`: builds an image from a tar context (write one with ``TarWriter``),
    /// streaming the builder's JSON lines. A failed step arrives as an `error` line inside the
    /// 200 answer and is thrown as ``DockerError/Code/operationFailed``; the image ID comes
    /// in an `aux` line (``ProgressResult/imageID``). Closing the stream cancels the build.
    ///
    /// ```swift
    /// var context = TarWriter()
    /// try context.addFile("Dockerfile", contents: Array("FROM busybox\nRUN true\n".utf8))
    /// let result = try await docker.build(.bytes(try context.finish()), options: BuildOptions(tags: ["app:1"]))
    ///     .waitUntilFinished()
    /// ```
    public func build(_ context: DockerRequestBody, options: BuildOptions = BuildOptions()) async throws(DockerError) -> DockerJSONStream<ProgressMessage> {
        var query = DockerQuery()
        for tag in options.tags { query.add("t", tag) }
        query.add("dockerfile", options.dockerfile)
        if !options.buildArgs.isEmpty { query.add("buildargs", Self.json(options.buildArgs)) }
        if !options.labels.isEmpty { query.add("labels", Self.json(options.labels)) }
        if !options.cacheFrom.isEmpty { query.add("cachefrom", Self.json(options.cacheFrom)) }
        query.add("pull", options.pull ? true : nil)
        query.add("nocache", options.noCache ? true : nil)
        query.add("rm", options.remove)
        query.add("forcerm", options.forceRemove)
        query.add("networkmode", options.networkMode)
        query.add("target", options.target)
        query.add("platform", options.platform)
        query.add("memory", options.memory.map { Int($0) })
        query.add("version", "1")
        let response = try await self.execute(.post, "/build", query: query, fields: ["Content-Type": "application/x-tar"], body: context.http, timeout: .none)
        return self.progressStream(response, operation: self.operation(.post, "/build"))
    }

    private static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
