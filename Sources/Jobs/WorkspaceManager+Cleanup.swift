// slipway — Jobs
// SPDX-License-Identifier: Apache-2.0

extension WorkspaceManager {
    /// Removes job `id`'s workspace, also when slipway may not delete all of it.
    ///
    /// slipway and the job's containers usually run as different users (the deployed slipway
    /// as its own, jobs as root), and the workspace is slipway's, writable by all: slipway can
    /// delete the files a job left at its top, but not what the job put in directories it
    /// created. Those are deleted by a short container of `image` (the job's, or the dind
    /// daemon's) running as the job did; then the directory is removed. Anything still left
    /// is removed at the next start, if it can be then.
    func removeWorkspace(for id: JobID, image: String, runtime: any ContainerRuntime, instance: String) async {
        if await self.removeWorkspace(for: id) { return }
        let labels = ContainerLabels.forJob(id, role: "workspace-cleanup", instance: instance)
        try? await runtime.emptyDirectory(self.path(for: id), image: image, labels: labels)
        await self.removeWorkspace(for: id)
    }
}
