// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

extension DockerClient {
    /// Timeouts, limits and version bounds of a ``DockerClient``.
    public struct Configuration: Sendable {
        /// Time allowed to connect to the daemon.
        public var connectTimeout: Duration = .seconds(5)
        /// For ordinary calls (inspect, create, start, list…): time to send the request and
        /// receive the response head, and the longest silence while reading its body. Calls
        /// that legitimately block (`wait`, followed logs, events, stop with a grace period)
        /// use their own limits.
        public var requestTimeout: Duration = .seconds(60)
        /// Longest silence while streaming pull, import, load and build progress (`nil`: none;
        /// a silent build step may take long, and closing the connection cancels the build).
        public var progressIdleTimeout: Duration? = nil
        /// The newest API version to use.
        public var maximumAPIVersion = DockerAPIVersion.clientMaximum
        /// Daemons whose newest version is older than this are refused.
        public var minimumAPIVersion = DockerAPIVersion.clientMinimum
        /// Skips negotiation and uses this version.
        public var apiVersion: DockerAPIVersion? = nil
        /// Keep-alive connections kept for reuse.
        public var maxIdleConnections = 4
        /// Idle keep-alive connections older than this are closed instead of reused.
        public var idleConnectionTimeout: Duration = .seconds(30)
        /// The largest JSON response collected into memory (inspect, list).
        public var maxResponseBytes = 64 * 1024 * 1024

        public init() {}
    }
}
