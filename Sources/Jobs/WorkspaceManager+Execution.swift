// slipway — Jobs
// SPDX-License-Identifier: Apache-2.0

extension WorkspaceManager {
    /// Job `execution`'s workspace, or nil after telling the job's log why it has none (both
    /// workers then fail the job as a runner system failure).
    func prepareWorkspace(for execution: JobExecution) async -> String? {
        await execution.section("prepare_workspace", "Preparing the workspace") {
            do {
                return try await self.prepareWorkspace(for: execution.job.id)
            } catch {
                await execution.note("cannot create the job's workspace: \(error)")
                return nil
            }
        }
    }
}
