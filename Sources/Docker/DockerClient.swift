// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

import HTTP
import Logging
import Sockets
import Synchronization

/// A Docker Engine API client over a Unix socket or plain TCP, on slipway's NIO-free HTTP/1.1
/// client: typed, async calls, keep-alive connections, responses streamed as they arrive.
///
/// ```swift
/// let docker = try await DockerClient(host: .fromEnvironment(), group: group)
/// var request = ContainerCreateRequest(image: "busybox:latest", cmd: ["echo", "hello"])
/// request.hostConfig = HostConfig(networkMode: "none", initProcess: true)
/// let id = try await docker.createContainer(request, name: "job-42").id
/// try await docker.startContainer(id)
/// let exit = try await docker.waitContainer(id)
/// let output = try await docker.logs(id).collect()
/// try await docker.removeContainer(id, force: true, removeVolumes: true)
/// ```
///
/// The API version is negotiated on first use from `GET /_ping`'s `Api-Version` header:
/// the client uses `min(configuration.maximumAPIVersion, server's)` and refuses daemons below
/// ``Configuration/minimumAPIVersion``. Every other call carries that `/vX.Y` prefix.
/// Errors are ``DockerError``s.
public final class DockerClient: Sendable {
    /// Where the daemon listens, as given (for messages).
    public let host: DockerHost
    public let configuration: Configuration
    let http: HTTPClient
    let logger: Logger
    private let versionState: Mutex<VersionState>

    private enum VersionState {
        case unknown
        case negotiating(Task<Result<DockerAPIVersion, DockerError>, Never>)
        case known(DockerAPIVersion)
    }

    /// A client for the daemon at `address` (already resolved).
    public convenience init(address: SocketAddress, group: EventLoopGroup, configuration: Configuration = Configuration(), logger: Logger = Logger(label: "slipway.docker")) {
        let host: DockerHost
        switch address {
        case .unix(let path): host = DockerHost(.unix(path: path))
        case .ipv4(let ip, let port), .ipv6(let ip, let port): host = DockerHost(.tcp(host: ip, port: port))
        }
        self.init(host: host, address: address, group: group, configuration: configuration, logger: logger)
    }

    private init(host: DockerHost, address: SocketAddress, group: EventLoopGroup, configuration: Configuration, logger: Logger) {
        self.host = host
        var http = HTTPClient.Configuration()
        http.connectTimeout = configuration.connectTimeout
        http.headTimeout = configuration.requestTimeout
        http.maxIdleConnections = configuration.maxIdleConnections
        http.idleTimeout = configuration.idleConnectionTimeout
        self.http = HTTPClient(address: address, group: group, configuration: http)
        self.configuration = configuration
        self.logger = logger
        self.versionState = Mutex(configuration.apiVersion.map { .known($0) } ?? .unknown)
    }

    /// A client for `host` (`DOCKER_HOST` syntax); resolves a TCP host name first. Does not
    /// contact the daemon: the first call negotiates the API version.
    public convenience init(host: DockerHost, group: EventLoopGroup, configuration: Configuration = Configuration(), logger: Logger = Logger(label: "slipway.docker")) async throws(DockerError) {
        let address = try await host.resolve()
        // Keep the name as given: messages should say what the operator configured.
        self.init(host: host, address: address, group: group, configuration: configuration, logger: logger)
    }

    /// The negotiated API version, if negotiation has happened.
    public var negotiatedAPIVersion: DockerAPIVersion? {
        self.versionState.withLock { state in
            if case .known(let version) = state { return version }
            return nil
        }
    }

    /// The API version to use: negotiated once, on first use (concurrent first calls share
    /// one negotiation; a failed negotiation is retried by the next call).
    public func apiVersion() async throws(DockerError) -> DockerAPIVersion {
        enum Next {
            case known(DockerAPIVersion)
            case wait(Task<Result<DockerAPIVersion, DockerError>, Never>)
        }
        let next = self.versionState.withLock { state -> Next in
            switch state {
            case .known(let version): return .known(version)
            case .negotiating(let task): return .wait(task)
            case .unknown:
                let task = Task { [self] () -> Result<DockerAPIVersion, DockerError> in
                    do throws(DockerError) {
                        return .success(try await self.negotiate())
                    } catch {
                        return .failure(error)
                    }
                }
                state = .negotiating(task)
                return .wait(task)
            }
        }
        switch next {
        case .known(let version):
            return version
        case .wait(let task):
            let result = await task.value
            self.versionState.withLock { state in
                guard case .negotiating = state else { return }
                switch result {
                case .success(let version): state = .known(version)
                case .failure: state = .unknown
                }
            }
            return try result.get()
        }
    }

    /// Negotiates from scratch (after the daemon was upgraded, say).
    public func renegotiate() async throws(DockerError) -> DockerAPIVersion {
        self.versionState.withLock { $0 = .unknown }
        return try await self.apiVersion()
    }

    private func negotiate() async throws(DockerError) -> DockerAPIVersion {
        let ping = try await self.ping()
        let server: DockerAPIVersion
        if let advertised = ping.apiVersion {
            server = advertised
        } else {
            // Engines before 1.25 have no Api-Version header; they are far below the floor.
            throw DockerError(.unsupportedVersion, "the Docker daemon at \(self.host) does not advertise an API version in /_ping (older than API 1.25); slipway needs at least \(self.configuration.minimumAPIVersion)", operation: "GET /_ping")
        }
        let chosen = min(self.configuration.maximumAPIVersion, server)
        guard chosen >= self.configuration.minimumAPIVersion else {
            throw DockerError(.unsupportedVersion, "the Docker daemon at \(self.host) speaks Engine API \(server) at most; slipway needs at least \(self.configuration.minimumAPIVersion)", operation: "GET /_ping")
        }
        if server > chosen {
            // A newer engine may have raised its minimum above our maximum (Engine 29: 1.44).
            // Ask it, with our version, before anything else fails with a 400.
            let version: SystemVersion
            do throws(DockerError) {
                version = try await self.decode(SystemVersion.self, try await self.execute(.get, "/version", version: chosen))
            } catch {
                guard error.code == .badRequest else { throw error }
                throw DockerError(.unsupportedVersion, "the Docker daemon at \(self.host) rejects Engine API \(chosen): \(error.message)", status: error.status, operation: error.operation)
            }
            if let minimum = version.minAPIVersion.flatMap(DockerAPIVersion.init), minimum > chosen {
                throw DockerError(.unsupportedVersion, "the Docker daemon at \(self.host) needs Engine API \(minimum) or newer; slipway speaks at most \(chosen)", operation: "GET /v\(chosen)/version")
            }
        }
        self.logger.debug("negotiated the Docker Engine API version", metadata: ["host": "\(self.host)", "server": "\(server)", "using": "\(chosen)"])
        return chosen
    }
}
