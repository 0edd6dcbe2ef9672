// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

extension DockerError {
    /// A failure class callers can match on. Open for additions: match the ones you handle
    /// and treat the rest as failures.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Hashable, Sendable {
            case badRequest, forbidden, notFound, conflict, notModified, serverError, unexpectedStatus
            case operationFailed, daemonUnavailable, timedOut, streamFailed, invalidResponse
            case unsupportedVersion, invalidArgument, invalidArchive, cancelled
        }

        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// 400: the engine rejected the parameters (e.g. a bad mount, an unknown filter).
        public static let badRequest = Code(.badRequest)
        /// 401/403: refused, e.g. an archive put into a read-only root filesystem or volume.
        public static let forbidden = Code(.forbidden)
        /// 404: no such container, image, volume or exec instance.
        public static let notFound = Code(.notFound)
        /// 409: a name already in use, a container that is not running (kill), or in use (remove).
        public static let conflict = Code(.conflict)
        /// 304: already started (start) or already stopped (stop).
        public static let notModified = Code(.notModified)
        /// 5xx: the engine failed; its message says why.
        public static let serverError = Code(.serverError)
        /// Any other status the call does not expect.
        public static let unexpectedStatus = Code(.unexpectedStatus)
        /// The engine reported an error inside a successful (200) stream: a failed pull,
        /// build step or image load, or an exec that could not start.
        public static let operationFailed = Code(.operationFailed)
        /// No daemon answers at the address: connection refused, no such socket, or the daemon
        /// closed the connection before answering.
        public static let daemonUnavailable = Code(.daemonUnavailable)
        /// A connect, response or stream-idle deadline passed.
        public static let timedOut = Code(.timedOut)
        /// The connection broke in the middle of a response body or stream (daemon stopped,
        /// killed or restarted), including end-of-stream in the middle of a multiplexed frame.
        public static let streamFailed = Code(.streamFailed)
        /// The engine's answer could not be parsed (bad JSON, bad frame header).
        public static let invalidResponse = Code(.invalidResponse)
        /// The engine's API version is below the floor this client supports, or a call needs a
        /// newer version than the one negotiated.
        public static let unsupportedVersion = Code(.unsupportedVersion)
        /// The caller passed something unusable (an unsupported `DOCKER_HOST`, an image
        /// reference without a name).
        public static let invalidArgument = Code(.invalidArgument)
        /// A tar archive could not be written or read.
        public static let invalidArchive = Code(.invalidArchive)
        /// The calling task was cancelled.
        public static let cancelled = Code(.cancelled)

        public var description: String { self.value.rawValue }

        /// The code for an HTTP status the engine answered with.
        public static func forStatus(_ status: Int) -> Code {
            switch status {
            case 304: .notModified
            case 400: .badRequest
            case 401, 403: .forbidden
            case 404: .notFound
            case 409: .conflict
            case 500...599: .serverError
            default: .unexpectedStatus
            }
        }
    }
}
