// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

/// `POST /containers/{id}/wait`'s answer: the exit code.
public struct ContainerWaitResult: Decodable, Sendable, Hashable {
    /// The container's exit code (128 + N after signal N).
    public var statusCode: Int
    /// Set when waiting itself failed.
    public var error: WaitError?

    /// Why the wait itself failed (the engine's `Error.Message`).
    public struct WaitError: Decodable, Sendable, Hashable {
        public var message: String?

        enum CodingKeys: String, CodingKey {
            case message = "Message"
        }
    }

    /// What to wait for.
    public enum Condition: String, Sendable {
        /// Until the container is not running (returns at once if it is not).
        case notRunning = "not-running"
        /// Until it next exits: send before `start` to never miss a short-lived container.
        case nextExit = "next-exit"
        /// Until it is removed.
        case removed = "removed"
    }

    enum CodingKeys: String, CodingKey {
        case statusCode = "StatusCode"
        case error = "Error"
    }
}
