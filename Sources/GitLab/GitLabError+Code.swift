// slipway — GitLab
// SPDX-License-Identifier: Apache-2.0

extension GitLabError {
    /// A failure class callers can match on. Open for additions: match the ones you handle and
    /// treat the rest as failures.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Hashable, Sendable {
            case invalidRequest, unauthorized, unknownProject, payloadTooLarge
            case configError, gitFailed, gitTimedOut
        }

        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// 400: not a GitLab webhook we can read (no `X-Gitlab-Event`, invalid JSON, no
        /// `object_kind`, a custom webhook template).
        public static let invalidRequest = Code(.invalidRequest)
        /// 401: `X-Gitlab-Token` is missing or does not match the project's `webhook_token`.
        public static let unauthorized = Code(.unauthorized)
        /// 404: the payload names a project slipway has no configuration for.
        public static let unknownProject = Code(.unknownProject)
        /// 413: the body is over the webhook route's limit (raised by the server, listed here so
        /// all webhook answers come from one place).
        public static let payloadTooLarge = Code(.payloadTooLarge)
        /// The `.gitlab-ci.yml` uses something slipway does not support, or is invalid: the
        /// pipeline fails with `failure_reason: config_error`.
        public static let configError = Code(.configError)
        /// A `git` command exited non-zero, or could not be started.
        public static let gitFailed = Code(.gitFailed)
        /// A `git` command ran past its deadline and was killed.
        public static let gitTimedOut = Code(.gitTimedOut)

        public var description: String { self.value.rawValue }

        var httpStatus: Int? {
            switch self.value {
            case .invalidRequest: 400
            case .unauthorized: 401
            case .unknownProject: 404
            case .payloadTooLarge: 413
            case .configError, .gitFailed, .gitTimedOut: nil
            }
        }
    }
}
