// slipway — dind worker tests
// SPDX-License-Identifier: Apache-2.0

@testable import Application
import Docker
import Foundation
@testable import Jobs
import Logging
import Store
import Testing
import TestSupport

/// A slipway that is not root cannot delete what a job running as root created in directories
/// of its own; a short container empties the workspace for it (`removeWorkspace(for:image:…)`).
@Suite("workspace cleanup (live)", .serialized, .disabled(if: DockerTestEnvironment.isSkipped, DockerTestEnvironment.skipComment))
struct WorkspaceCleanupLiveTests {
    static let busybox = DockerTestEnvironment.busyboxImage

    /// Workspaces as a slipway without root sees them: it may remove a workspace only once
    /// nothing is left in it (here plain `rmdir`, which fails on anything left).
    final class NonRootWorkspaces: WorkspaceManager {
        let root: String
        init(root: String) { self.root = root }
        func path(for id: JobID) -> String { "\(self.root)/\(id)" }
        func prepareWorkspace(for id: JobID) async throws -> String {
            let path = self.path(for: id)
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o777])
            return path
        }
        func removeWorkspace(for id: JobID) async -> Bool {
            rmdir(self.path(for: id)) == 0 || errno == ENOENT
        }
        func workspaces() async -> [JobID] {
            ((try? FileManager.default.contentsOfDirectory(atPath: self.root)) ?? []).compactMap { JobID($0) }
        }
    }

    @Test("files a root job left in directories of its own are removed by a cleanup container")
    func aCleanupContainerEmptiesTheWorkspace() async throws {
        let docker = try await DockerTestEnvironment.client()
        let host = try DockerTestEnvironment.host()
        let runtime = DockerContainerRuntime(host: try DockerHost(parsing: host), group: sharedTestGroup, logger: Logger(label: "cleanup"))
        let root = "\(DockerTestEnvironment.scratch)/ws\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let workspaces = NonRootWorkspaces(root: root)
        let id = JobID(rawValue: 41)
        let path = try await workspaces.prepareWorkspace(for: id)
        // The "job": as root, in a directory of its own, and names starting with dots.
        let writer = try await runtime.createContainer(ContainerSpecification(
            image: Self.busybox, entrypoint: ["/bin/sh", "-c"],
            command: ["mkdir -p \(path)/sub/dir && echo x > \(path)/sub/dir/file && touch \(path)/.hidden \(path)/..dots \(path)/top && chmod 755 \(path)/sub"],
            mounts: [.init(kind: .bind, source: path, target: path)], networkMode: "none"))
        try await runtime.startContainer(writer)
        #expect(try await runtime.waitForExit(writer) == 0)
        try await runtime.removeContainer(writer)
        #expect(await workspaces.removeWorkspace(for: id) == false, "the job's files are still there")

        let instance = "cleanup-test-\(UInt32.random(in: 0...UInt32.max))"
        // From a canceled task, as after a job's cancel or timeout.
        let cleanup = Task {
            await workspaces.removeWorkspace(for: id, runtime: runtime, instance: instance) { Self.busybox }
        }
        cleanup.cancel()
        await cleanup.value
        #expect(!FileManager.default.fileExists(atPath: path), "left: \((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [])")
        let leftovers = try await runtime.containers(labeled: [ContainerLabels.instance: instance])
        #expect(leftovers.isEmpty, "the cleanup container was removed")
        _ = docker
    }

    @Test("a workspace the worker could not empty is emptied at the next start")
    func theReconcilerEmptiesWhatIsLeft() async throws {
        _ = try await DockerTestEnvironment.client()
        let host = try DockerTestEnvironment.host()
        let runtime = DockerContainerRuntime(host: try DockerHost(parsing: host), group: sharedTestGroup, logger: Logger(label: "cleanup"))
        let root = "\(DockerTestEnvironment.scratch)/ws\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let store = try await SQLiteJobStore.open(path: "\(root)/slipway.db")
        let logs = try FileLogStore(directory: "\(root)/logs", outputLimit: 1 << 20)
        // A finished job whose workspace still holds what it wrote as root.
        let job = try await store.insert(
            JobSpecification(name: "left", image: Self.busybox, script: ["true"], worker: .host, timeout: .seconds(60)), status: .pending, at: Date())
        _ = try await store.apply(.start, to: job.id, at: Date())
        _ = try await store.apply(.succeed, to: job.id, at: Date())
        let workspaces = NonRootWorkspaces(root: "\(root)/workspaces")
        let path = try await workspaces.prepareWorkspace(for: job.id)
        let writer = try await runtime.createContainer(ContainerSpecification(
            image: Self.busybox, entrypoint: ["/bin/sh", "-c"], command: ["mkdir -p \(path)/a/b && touch \(path)/a/b/c"],
            mounts: [.init(kind: .bind, source: path, target: path)], networkMode: "none"))
        try await runtime.startContainer(writer)
        _ = try await runtime.waitForExit(writer)
        try await runtime.removeContainer(writer)

        let instance = "cleanup-test-\(UInt32.random(in: 0...UInt32.max))"
        let reconciler = Reconciler(store: store, logs: logs, runtime: runtime, workspaces: workspaces, instance: instance)
        let report = try await reconciler.reconcile(into: Scheduler(store: store, logs: logs, pools: [:]))
        #expect(report.removedWorkspaces == [job.id])
        #expect(!FileManager.default.fileExists(atPath: path))
        await store.close()
    }
}
