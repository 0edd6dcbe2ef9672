// slipway — DockerGuard
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import Docker
import Logging
import Sockets
import Synchronization
import Threads

/// Serves host-worker jobs their guarded Docker sockets: one Unix socket per job, in one
/// directory, each relaying to the engine under that job's ``GuardPolicy``.
public final class DockerGuard: Sendable {
    public struct Settings: Sendable {
        /// Where the sockets live. Only slipway may enter it; sockets are mounted into jobs.
        public var socketDirectory: String
        /// The engine the guard relays to (a TCP engine's name is resolved per connection).
        public var engine: DockerHost
        /// A request head, once begun, must be complete within this (slow heads are a way to
        /// hold connections).
        public var headerTimeout: Duration = .seconds(30)
        /// The longest pause in the middle of a request body.
        public var bodyIdleTimeout: Duration = .seconds(300)
        public var connectTimeout: Duration = .seconds(5)
        /// Connections of one job served at once; more wait in its listen backlog.
        public var maxConnectionsPerJob = 256

        public init(socketDirectory: String, engine: DockerHost) {
            self.socketDirectory = socketDirectory
            self.engine = engine
        }
    }

    public let settings: Settings
    private let group: EventLoopGroup
    private let lookup: any EngineLookup
    private let logger: Logger
    private let sockets = Mutex<[String: GuardedSocket]>([:])

    public init(settings: Settings, group: EventLoopGroup, lookup: any EngineLookup, logger: Logger) {
        self.settings = settings
        self.group = group
        self.lookup = lookup
        self.logger = logger
    }

    /// Creates the socket directory (mode 0700) and removes sockets an earlier run left.
    /// Blocking file-system work: it runs on a thread of its own.
    public func prepareDirectory() async throws {
        let directory = self.settings.socketDirectory
        try await NamedThread.run(name: "guard-directory") {
            try Self.makeDirectory(directory)
            for name in (try? Posix.directoryEntries(directory)) ?? [] where name.hasSuffix(".sock") {
                Posix.unlink("\(directory)/\(name)")
            }
        }
    }

    private static func makeDirectory(_ path: String) throws {
        var prefix = ""
        for component in path.split(separator: "/") {
            prefix += "/\(component)"
            if mkdir(prefix, 0o700) != 0 && errno != EEXIST {
                throw SystemError(errno: errno, call: "mkdir", context: prefix)
            }
        }
        chmod(path, 0o700)
    }

    /// The host path of the socket named `key`.
    public func socketPath(for key: String) -> String {
        "\(self.settings.socketDirectory)/\(key).sock"
    }

    /// Starts serving socket `key` under `policy` (its ``GuardPolicy/guardedSocketPath`` must be
    /// ``socketPath(for:)``); a socket already open under that key is closed first.
    @discardableResult
    public func open(_ key: String, policy: GuardPolicy) async throws -> GuardedSocket {
        await self.close(key)
        let job = GuardedJob(policy: policy, lookup: self.lookup)
        let socket = try await GuardedSocket(path: self.socketPath(for: key), job: job, settings: self.settings, group: self.group,
                                             logger: self.logger)
        let replaced = self.sockets.withLock { sockets in
            defer { sockets[key] = socket }
            return sockets[key]
        }
        await replaced?.close()
        return socket
    }

    /// Stops serving socket `key` and closes its connections; an unknown key is ignored.
    public func close(_ key: String) async {
        let socket = self.sockets.withLock { $0.removeValue(forKey: key) }
        await socket?.close()
    }

    /// Closes every socket (slipway is stopping).
    public func closeAll() async {
        let all = self.sockets.withLock { sockets in
            defer { sockets.removeAll() }
            return Array(sockets.values)
        }
        for socket in all { await socket.close() }
    }
}
