// slipway — DockerGuard
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import Docker
import Sockets

/// What the guard asks the engine and the host about objects, to answer
/// ``GuardDecision/lookUp(_:)``. Every call answers `.absent` for what does not exist and
/// throws only when the engine cannot be asked.
public protocol EngineLookup: Sendable {
    func container(_ reference: String) async throws -> Resolution
    func exec(_ id: String) async throws -> Resolution
    func volume(_ name: String) async throws -> Resolution
    func network(_ reference: String) async throws -> Resolution
    /// Creates volume `name` with `labels` unless it exists; the volume either way.
    func claimVolume(_ name: String, labels: [String: String]) async throws -> Resolution
}

/// ``EngineLookup`` through the engine's API.
public struct DockerEngineLookup: EngineLookup {
    private let makeClient: @Sendable () async throws -> DockerClient

    public init(client: DockerClient) {
        self.makeClient = { client }
    }

    /// - Parameter client: the client, made on first use (a TCP engine's name may not resolve
    ///   yet when slipway starts).
    public init(client: @escaping @Sendable () async throws -> DockerClient) {
        self.makeClient = client
    }

    private var client: DockerClient {
        get async throws { try await self.makeClient() }
    }

    public func container(_ reference: String) async throws -> Resolution {
        let client = try await self.client
        let inspect: ContainerInspect
        do throws(DockerError) {
            inspect = try await client.inspectContainer(reference)
        } catch {
            if error.code == .notFound { return .absent }
            throw error
        }
        let binds = (inspect.mounts ?? []).filter { $0.type == "bind" }.compactMap(\.source)
        return .found(ObjectFacts(id: inspect.id, labels: inspect.config?.labels ?? [:], bindSources: binds))
    }

    public func exec(_ id: String) async throws -> Resolution {
        let client = try await self.client
        let execution: ExecInspect
        do throws(DockerError) {
            execution = try await client.inspectExec(id)
        } catch {
            if error.code == .notFound { return .absent }
            throw error
        }
        guard let container = execution.containerID, case .found(let facts) = try await self.container(container) else { return .absent }
        return .found(ObjectFacts(id: execution.id, labels: facts.labels))
    }

    public func volume(_ name: String) async throws -> Resolution {
        let client = try await self.client
        let volume: Volume
        do throws(DockerError) {
            volume = try await client.inspectVolume(name)
        } catch {
            if error.code == .notFound { return .absent }
            throw error
        }
        return .found(ObjectFacts(id: volume.name, labels: volume.labels ?? [:]))
    }

    public func network(_ reference: String) async throws -> Resolution {
        let client = try await self.client
        let network: Network
        do throws(DockerError) {
            network = try await client.inspectNetwork(reference)
        } catch {
            if error.code == .notFound { return .absent }
            throw error
        }
        return .found(ObjectFacts(id: network.id, labels: network.labels ?? [:]))
    }

    public func claimVolume(_ name: String, labels: [String: String]) async throws -> Resolution {
        let volume = try await self.client.createVolume(VolumeCreateRequest(name: name, labels: labels))
        return .found(ObjectFacts(id: volume.name, labels: volume.labels ?? [:]))
    }
}

/// Whether a host path below the workspace still leads to a place inside it: no component
/// between the workspace and the path is a symbolic link (the job could point one anywhere on
/// the host). Components that do not exist yet are fine: the engine creates them as
/// directories.
enum WorkspacePathCheck {
    /// Blocking (`lstat`): call it from a thread of its own.
    static func resolve(_ path: String, workspace: String) -> Resolution {
        guard path.hasPrefix(workspace + "/") else { return .pathEscapes("\(path) is not inside the workspace") }
        var current = workspace
        for component in path.dropFirst(workspace.count + 1).split(separator: "/") {
            current += "/\(component)"
            var status = stat()
            if lstat(current, &status) != 0 {
                let code = errno
                if code == ENOENT { return .pathInside }
                return .pathEscapes("\(current) cannot be checked (\(SystemError(errno: code, call: "lstat")))")
            }
            if (status.st_mode & S_IFMT) == S_IFLNK { return .pathEscapes("\(current) is a symbolic link") }
        }
        return .pathInside
    }
}
