// slipway — Jobs
// SPDX-License-Identifier: Apache-2.0

extension ContainerRuntime {
    /// Deletes everything inside `directory`, a host path, from a container of `image` that
    /// mounts it; the directory itself stays. The container runs as the image's user, which is
    /// how the job's containers ran, so it may delete what they created.
    ///
    /// Labelled as `labels` say, so that a slipway restarted in the middle finds and removes it.
    func emptyDirectory(_ directory: String, image: String, labels: [String: String]) async throws {
        let mountPoint = "/slipway-workspace"
        let specification = ContainerSpecification(
            image: image,
            entrypoint: ["/bin/sh", "-c"],
            // The three patterns match every name but `.` and `..`; one that matches nothing
            // stays literal, and `rm -f` ignores it.
            command: ["rm -rf \(mountPoint)/* \(mountPoint)/.[!.]* \(mountPoint)/..?*"],
            labels: labels,
            mounts: [.init(kind: .bind, source: directory, target: mountPoint)],
            networkMode: "none")
        let id = try await self.createContainer(specification)
        do {
            try await self.startContainer(id)
            _ = try await self.waitForExit(id)
        } catch {
            try? await self.removeContainer(id)
            throw error
        }
        try? await self.removeContainer(id)
    }
}
