// slipway — Store
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import Jobs
import SystemCalls
import Threads

/// Per-daemon socket directories as `<root>/<token>` on the host (see ``DaemonDirectories``).
public final class DirectoryDaemonDirectories: DaemonDirectories, Sendable {
    public let root: String
    private let io = BlockingExecutor(name: "slipway-dind-dirs")

    /// The longest socket path the kernel accepts (`sun_path` is 108 bytes with its NUL).
    public static let maximumSocketPathBytes = 107
    /// `<root>/<token>/docker.sock` with the 8-character tokens the dind worker uses.
    public static func socketPathBytes(root: String) -> Int { root.utf8.count + "/12345678/docker.sock".utf8.count }

    public init(root: String) throws {
        guard root.hasPrefix("/") else { throw StoreError(.invalidPath, "the dind socket directory must be an absolute path, not \(root)") }
        guard Self.socketPathBytes(root: root) <= Self.maximumSocketPathBytes else {
            throw StoreError(.invalidPath, "the dind socket directory \(root) is too long: daemon sockets below it would exceed the \(Self.maximumSocketPathBytes) bytes a Unix socket path may have; choose a directory of at most \(Self.maximumSocketPathBytes - Self.socketPathBytes(root: "")) bytes (workers.dind.socket_dir)")
        }
        self.root = root
        var path = ""
        for component in root.split(separator: "/") {
            path += "/\(component)"
            do {
                try Posix.mkdir(path, mode: 0o755)
            } catch {
                throw StoreError(.io, "cannot create the dind socket directory \(path)", cause: error)
            }
        }
    }

    deinit { self.io.stop() }

    public func prepare(_ token: String) async throws -> String {
        let path = "\(self.root)/\(token)"
        try await self.io.run { () throws(StoreError) in
            do {
                try? Posix.removeTree(path)
                try Posix.mkdir(path, mode: 0o755, existingIsFine: false)
            } catch {
                throw StoreError(.io, "cannot create the dind socket directory \(path)", cause: error)
            }
        }
        return path
    }

    public func remove(_ token: String) async {
        guard !token.isEmpty, !token.contains("/"), token != ".", token != ".." else { return }
        let path = "\(self.root)/\(token)"
        await self.io.run { try? Posix.removeTree(path) }
    }

    public func tokens() async -> [String] {
        let root = self.root
        return await self.io.run { () -> [String] in
            (try? Posix.directoryEntries(root)) ?? []
        }
    }
}
