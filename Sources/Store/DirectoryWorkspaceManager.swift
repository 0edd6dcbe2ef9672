// slipway — Store
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import Jobs
import SystemCalls
import Threads

/// Job workspaces as directories `<root>/<id>` on the host. The root must be an absolute path
/// that the Docker daemon resolves to the same directory (the same-path workspace, see
/// docs/architecture.md).
public final class DirectoryWorkspaceManager: WorkspaceManager, Sendable {
    public let root: String
    private let io = BlockingExecutor(name: "slipway-workspaces")

    public init(root: String) throws {
        guard root.hasPrefix("/") else { throw StoreError(.invalidPath, "the workspace root must be an absolute path, not \(root)") }
        self.root = root
        do {
            try Posix.mkdir(root, mode: 0o755)
        } catch {
            throw StoreError(.io, "cannot create the workspace directory \(root)", cause: error)
        }
    }

    deinit { self.io.stop() }

    public func path(for id: JobID) -> String { "\(self.root)/\(id)" }

    public func prepareWorkspace(for id: JobID) async throws -> String {
        let path = self.path(for: id)
        try await self.io.run { () throws(StoreError) in
            do {
                try? Posix.removeTree(path)
                // World-writable: the job's image may run as any user.
                try Posix.mkdir(path, mode: 0o777)
                try Posix.chmod(path, mode: 0o777)
            } catch {
                throw StoreError(.io, "cannot create the workspace \(path)", cause: error)
            }
        }
        return path
    }

    @discardableResult
    public func removeWorkspace(for id: JobID) async -> Bool {
        let path = self.path(for: id)
        return await self.io.run { () -> Bool in
            try? Posix.removeTree(path)
            do {
                return try Posix.lstat(path) == nil
            } catch {
                return false
            }
        }
    }

    public func workspaces() async -> [JobID] {
        let root = self.root
        return await self.io.run { () -> [JobID] in
            ((try? Posix.directoryEntries(root)) ?? []).compactMap { JobID($0) }
        }
    }
}
