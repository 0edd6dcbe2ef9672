// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import HTTP

/// A `POST /containers/{id}/wait` the engine has registered (its response head arrived) and
/// whose result comes when the condition is met. Register before `start` with
/// ``ContainerWaitResult/Condition/nextExit`` to never miss a container that exits at once.
public final class PendingContainerWait: Sendable {
    private let response: HTTPClientResponse
    private let client: DockerClient
    private let operation: String

    init(response: HTTPClientResponse, client: DockerClient, operation: String) {
        self.response = response
        self.client = client
        self.operation = operation
    }

    /// Waits for the result.
    ///
    /// - Parameter timeout: longest wait (`nil`: as long as the container runs). When it
    ///   passes, the wait is abandoned with ``DockerError/Code/timedOut``; the container is
    ///   not touched.
    public func result(timeout: Duration? = nil) async throws(DockerError) -> ContainerWaitResult {
        try await self.client.decode(ContainerWaitResult.self, self.response, idleTimeout: .some(timeout), operation: self.operation)
    }

    /// Abandons the wait (closes its connection).
    public func cancel() { self.response.discard() }
}
