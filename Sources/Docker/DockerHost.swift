// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import Sockets

/// Where a Docker daemon listens, as written in `DOCKER_HOST`: `unix:///var/run/docker.sock`,
/// `tcp://127.0.0.1:2375` (plain TCP; TLS comes later) or `http://host:port`.
public struct DockerHost: Sendable, Hashable, CustomStringConvertible {
    /// A Unix socket path, or a TCP host and port.
    public enum Endpoint: Sendable, Hashable {
        case unix(path: String)
        /// A host name or numeric address, and a port.
        case tcp(host: String, port: UInt16)
    }

    public var endpoint: Endpoint

    /// A host for `endpoint`.
    public init(_ endpoint: Endpoint) {
        self.endpoint = endpoint
    }

    /// The daemon's conventional socket.
    public static let defaultSocket = DockerHost(.unix(path: "/var/run/docker.sock"))

    /// Parses a `DOCKER_HOST` value. A TCP address without a port gets 2375 (plain HTTP).
    public init(parsing text: String) throws(DockerError) {
        if text.hasPrefix("unix://") {
            let path = String(text.dropFirst("unix://".count))
            guard path.hasPrefix("/") else {
                throw DockerError(.invalidArgument, "DOCKER_HOST '\(text)': the Unix socket path must be absolute (unix:///path)")
            }
            self.endpoint = .unix(path: path)
            return
        }
        var rest: Substring
        if text.hasPrefix("tcp://") {
            rest = text.dropFirst("tcp://".count)
        } else if text.hasPrefix("http://") {
            rest = text.dropFirst("http://".count)
        } else if let scheme = text.firstRange(of: "://") {
            throw DockerError(.invalidArgument, "DOCKER_HOST '\(text)': the scheme '\(text[..<scheme.lowerBound])' is not supported (use unix:// or tcp://)")
        } else {
            throw DockerError(.invalidArgument, "DOCKER_HOST '\(text)': expected unix:///path or tcp://host:port")
        }
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.contains("/") else {
            throw DockerError(.invalidArgument, "DOCKER_HOST '\(text)': a path after host:port is not supported")
        }
        var host: Substring
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else {
                throw DockerError(.invalidArgument, "DOCKER_HOST '\(text)': missing ']' after the IPv6 address")
            }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty {
                throw DockerError(.invalidArgument, "DOCKER_HOST '\(text)': expected ':PORT' after ']'")
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        } else {
            host = rest
        }
        guard !host.isEmpty else { throw DockerError(.invalidArgument, "DOCKER_HOST '\(text)': the host is empty") }
        var port: UInt16 = 2375
        if let portText {
            guard let value = UInt16(portText), value > 0 else {
                throw DockerError(.invalidArgument, "DOCKER_HOST '\(text)': the port must be a number from 1 to 65535")
            }
            port = value
        }
        self.endpoint = .tcp(host: String(host), port: port)
    }

    /// `DOCKER_HOST` from the process environment, or the default socket when it is unset or
    /// empty.
    public static func fromEnvironment(variable: String = "DOCKER_HOST") throws(DockerError) -> DockerHost {
        guard let value = getenv(variable), value.pointee != 0 else { return .defaultSocket }
        return try DockerHost(parsing: Self.string(value))
    }

    public var description: String {
        switch self.endpoint {
        case .unix(let path): "unix://\(path)"
        case .tcp(let host, let port): host.contains(":") ? "tcp://[\(host)]:\(port)" : "tcp://\(host):\(port)"
        }
    }

    /// The socket address to connect to. A host name is resolved by ``HostResolver`` (on a
    /// thread of its own: `getaddrinfo` blocks; the cooperative pool must not).
    public func resolve() async throws(DockerError) -> SocketAddress {
        switch self.endpoint {
        case .unix(let path):
            do {
                return try SocketAddress(parsing: "unix:\(path)")
            } catch {
                throw DockerError(.invalidArgument, "DOCKER_HOST '\(self)': \(error.reason)")
            }
        case .tcp(let host, let port):
            let bracketed = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
            if let numeric = try? SocketAddress(parsing: bracketed) { return numeric }
            return try await Self.lookUp(host: host, port: port)
        }
    }

    private static func lookUp(host: String, port: UInt16) async throws(DockerError) -> SocketAddress {
        do {
            // resolve() never returns an empty list.
            return try await HostResolver.resolve(host: host, port: port)[0]
        } catch {
            throw DockerError(.daemonUnavailable, "cannot resolve the Docker host '\(host)': \(error.reason)")
        }
    }

    private static func string(_ pointer: UnsafePointer<CChar>) -> String {
        String(decoding: UnsafeRawBufferPointer(start: pointer, count: strlen(pointer)), as: UTF8.self)
    }
}
