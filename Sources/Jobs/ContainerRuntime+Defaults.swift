// slipway — Jobs
// SPDX-License-Identifier: Apache-2.0

/// Defaults for the calls only the dind worker and the guarded socket's clean-up make, so a
/// runtime (or a test fake) that serves only plain host jobs need not implement them. The
/// Docker adapter implements them all.
extension ContainerRuntime {
    public func createVolume(_ name: String, labels: [String: String]) async throws {
        throw ContainerRuntimeFailure.engineError("this container runtime cannot create volumes")
    }

    public func removeVolume(_ name: String) async throws {}

    public func volumes(labeled labels: [String: String]) async throws -> [VolumeSummary] { [] }

    public func volumeSizes() async throws -> [String: Int64] { [:] }

    public func networks(labeled labels: [String: String]) async throws -> [NetworkSummary] { [] }

    public func removeNetwork(_ id: String) async throws {}

    public func pingDaemon(socketPath: String, timeout: Duration) async throws {
        throw ContainerRuntimeFailure.engineError("this container runtime cannot reach a daemon at \(socketPath)")
    }

    public func lastOutput(of id: String, lines: Int) async throws -> [UInt8] { [] }
}
