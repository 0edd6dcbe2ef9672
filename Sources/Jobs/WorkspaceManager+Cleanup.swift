// slipway — Jobs
// SPDX-License-Identifier: Apache-2.0

extension WorkspaceManager {
    /// Removes job `id`'s workspace, also when slipway may not delete all of it.
    ///
    /// slipway and the job's containers usually run as different users (the deployed slipway
    /// as its own, jobs as root), and the workspace is slipway's, writable by all: slipway can
    /// delete the files a job left at its top, but not what the job put in directories it
    /// created. Those are deleted by a short container of the image `image` names (the job's,
    /// or the dind daemon's), asked for only then, running as the job did; then the directory
    /// is removed. Anything still left is removed at the next start, if it can be then.
    func removeWorkspace(
        for id: JobID, runtime: any ContainerRuntime, instance: String, image: @escaping @Sendable () async -> String?
    ) async {
        if await self.removeWorkspace(for: id) { return }
        guard let image = await image() else { return }
        let path = self.path(for: id)
        let labels = ContainerLabels.forJob(id, role: "workspace-cleanup", instance: instance)
        // In a task of its own: after a cancel or a timeout the job's task is canceled, and its
        // engine calls would fail after the container was created (ContainerJobRun.stopAndRemove).
        await Task { try? await runtime.emptyDirectory(path, image: image, labels: labels) }.value
        await self.removeWorkspace(for: id)
    }
}
