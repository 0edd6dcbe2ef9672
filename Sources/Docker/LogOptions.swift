// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

/// Parameters of `GET /containers/{id}/logs`.
public struct LogOptions: Sendable, Hashable {
    /// Keep the stream open and deliver output as the container writes it, until it exits.
    public var follow: Bool
    public var stdout: Bool
    public var stderr: Bool
    /// Only output after this time (Unix seconds, fractions allowed): resume after a drop.
    public var since: Double?
    /// Only output before this time (Unix seconds).
    public var until: Double?
    /// Prefix every line with an RFC 3339 timestamp with nanoseconds and a space.
    public var timestamps: Bool
    /// Only the last N lines (`nil`: all).
    public var tail: Int?
    /// Longest silence while following before the stream fails with
    /// ``DockerError/Code/timedOut`` (`nil`: none — a job may be quiet for a long time; a
    /// daemon that goes away still ends the stream with an error).
    public var idleTimeout: Duration?

    public init(follow: Bool = false, stdout: Bool = true, stderr: Bool = true, since: Double? = nil, until: Double? = nil, timestamps: Bool = false, tail: Int? = nil, idleTimeout: Duration? = nil) {
        self.follow = follow
        self.stdout = stdout
        self.stderr = stderr
        self.since = since
        self.until = until
        self.timestamps = timestamps
        self.tail = tail
        self.idleTimeout = idleTimeout
    }
}
