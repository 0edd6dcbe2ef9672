// slipway — Application
// SPDX-License-Identifier: Apache-2.0

import GitLab
import Jobs
import Store

/// Workspaces that hold the pipeline's commit: for a pipeline job, the commit its pipeline was
/// planned for is checked out into the fresh workspace before the job's container starts. Other
/// jobs (`POST /v1/jobs`) get an empty workspace as before.
///
/// A failed checkout fails the preparation, so the worker reports the job as a system failure
/// with git's (scrubbed) message in its log.
final class CheckoutWorkspaceManager: WorkspaceManager {
    private let base: any WorkspaceManager
    private let store: SQLiteJobStore
    private let mirror: GitRepositoryMirror

    init(base: any WorkspaceManager, store: SQLiteJobStore, mirror: GitRepositoryMirror) {
        self.base = base
        self.store = store
        self.mirror = mirror
    }

    func prepareWorkspace(for id: JobID) async throws -> String {
        let path = try await self.base.prepareWorkspace(for: id)
        // The planner records the commit and the mirror's project in every pipeline job.
        guard let job = try await self.store.job(id), job.specification.pipelineID != nil,
              let sha = job.specification.variables["CI_COMMIT_SHA"], let project = job.specification.project
        else { return path }
        try await self.mirror.checkout(project: project, sha: sha, into: path)
        return path
    }

    func path(for id: JobID) -> String {
        self.base.path(for: id)
    }

    @discardableResult
    func removeWorkspace(for id: JobID) async -> Bool {
        await self.base.removeWorkspace(for: id)
    }

    func workspaces() async -> [JobID] {
        await self.base.workspaces()
    }
}
