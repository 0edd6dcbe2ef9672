// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import HTTP

extension DockerClient {
    /// `GET /_ping` (without a version prefix): succeeds when the daemon answers `OK`.
    ///
    /// - Parameter timeout: how long to wait for the answer (default: the request timeout).
    public func ping(timeout: Duration? = nil) async throws(DockerError) -> PingResult {
        let response = try await self.executeRaw(.get, "/_ping", timeout: timeout.map { .after($0) } ?? .standard)
        let body = try await self.collectBody(response, limit: 1024, operation: "GET /_ping")
        guard String(decoding: body, as: UTF8.self) == "OK" else {
            throw DockerError(.invalidResponse, "the daemon at \(self.host) answered /_ping with '\(String(decoding: body.prefix(100), as: UTF8.self))', not 'OK'", status: response.status.code, operation: "GET /_ping")
        }
        let fields = response.fields
        return PingResult(
            apiVersion: fields["api-version"].flatMap(DockerAPIVersion.init),
            osType: fields["ostype"],
            experimental: fields["docker-experimental"] == "true",
            builderVersion: fields["builder-version"]
        )
    }

    /// Polls `/_ping` every `interval` until the daemon answers, or throws
    /// ``DockerError/Code/timedOut`` (carrying the last failure) when `timeout` has passed.
    /// Gate every job on its daemon this way: a daemon that never comes up is an
    /// infrastructure failure, not the user's.
    @discardableResult
    public func waitUntilReady(timeout: Duration, interval: Duration = .milliseconds(50)) async throws(DockerError) -> PingResult {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var lastError: DockerError?
        while true {
            let remaining = deadline - clock.now
            if remaining <= .zero { break }
            do throws(DockerError) {
                return try await self.ping(timeout: min(remaining, self.configuration.requestTimeout))
            } catch {
                if error.code == .cancelled { throw error }
                lastError = error
            }
            do {
                try await Task.sleep(for: min(interval, max(.zero, deadline - clock.now)))
            } catch {
                throw DockerError(.cancelled, "waiting for the daemon at \(self.host) was cancelled")
            }
        }
        throw DockerError(.timedOut, "the Docker daemon at \(self.host) did not answer /_ping within \(timeout)", operation: "GET /_ping", underlying: lastError)
    }

    /// `GET /version`.
    public func version() async throws(DockerError) -> SystemVersion {
        try await self.decode(SystemVersion.self, try await self.execute(.get, "/version"), operation: self.operation(.get, "/version"))
    }

    /// `GET /events`: a stream of events as they happen, e.g. containers' `die` with their
    /// exit code. Resume after a reconnect with `since` (the last event's `timeNano`).
    ///
    /// - Parameters:
    ///   - since: replay events from this time (Unix seconds, fractions allowed).
    ///   - until: end the stream at this time instead of following.
    ///   - idleTimeout: longest silence before the stream fails with
    ///     ``DockerError/Code/timedOut`` (`nil`: none; the daemon closing the connection always
    ///     ends it with an error).
    public func events(since: Double? = nil, until: Double? = nil, filters: DockerFilters? = nil, idleTimeout: Duration? = nil) async throws(DockerError) -> DockerJSONStream<DockerEvent> {
        var query = DockerQuery()
        query.add("since", since.map(Self.timestamp))
        query.add("until", until.map(Self.timestamp))
        query.add("filters", filters)
        let response = try await self.execute(.get, "/events", query: query)
        return DockerJSONStream(bytes: self.byteStream(response, idleTimeout: idleTimeout, operation: self.operation(.get, "/events")))
    }

    /// Unix seconds as the engine parses them: `SECONDS[.NANOSECONDS]`.
    static func timestamp(_ seconds: Double) -> String {
        let whole = seconds.rounded(.down)
        let nanos = Int(((seconds - whole) * 1_000_000_000).rounded())
        if nanos == 0 { return String(Int64(whole)) }
        let digits = String(nanos)
        return "\(Int64(whole)).\(String(repeating: "0", count: max(0, 9 - digits.count)))\(digits)"
    }
}
