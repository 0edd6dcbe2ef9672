// slipway — Store
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import Jobs
import Threads

/// Job workspaces as directories `<root>/<id>` on the host. The root must be an absolute path
/// that the Docker daemon resolves to the same directory (DESIGN.md, "same-path workspace").
public final class DirectoryWorkspaceManager: WorkspaceManager, Sendable {
    public let root: String
    private let io = BlockingExecutor(name: "slipway-workspaces")

    public init(root: String) throws {
        guard root.hasPrefix("/") else { throw StoreError(.notFound, "the workspace root must be an absolute path, not \(root)") }
        self.root = root
        if mkdir(root, 0o755) != 0 && errno != EEXIST {
            throw StoreError(.notFound, "cannot create the workspace directory \(root): \(String(cString: strerror(errno)))")
        }
    }

    deinit { self.io.stop() }

    public func path(for id: JobID) -> String { "\(self.root)/\(id)" }

    public func prepareWorkspace(for id: JobID) async throws -> String {
        let path = self.path(for: id)
        try await self.io.run {
            Self.removeTree(path)
            // World-writable: the job's image may run as any user.
            guard mkdir(path, 0o777) == 0 || errno == EEXIST else {
                throw StoreError(.notFound, "cannot create \(path): \(String(cString: strerror(errno)))")
            }
            chmod(path, 0o777)
        }
        return path
    }

    @discardableResult
    public func removeWorkspace(for id: JobID) async -> Bool {
        let path = self.path(for: id)
        return await self.io.run { () -> Bool in
            Self.removeTree(path)
            var info = stat()
            return lstat(path, &info) != 0 && errno == ENOENT
        }
    }

    public func workspaces() async -> [JobID] {
        let root = self.root
        return await self.io.run { () -> [JobID] in
            guard let directory = opendir(root) else { return [] }
            defer { closedir(directory) }
            var ids: [JobID] = []
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                if let id = JobID(name) { ids.append(id) }
            }
            return ids
        }
    }

    /// Removes `path` and everything below it, without following symbolic links (a job could
    /// plant a link to `/`).
    static func removeTree(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            if let directory = opendir(path) {
                var names: [String] = []
                while let entry = readdir(directory) {
                    let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                    }
                    if name != "." && name != ".." { names.append(name) }
                }
                closedir(directory)
                for name in names { removeTree("\(path)/\(name)") }
            }
            rmdir(path)
        } else {
            unlink(path)
        }
    }
}
