// slipway — Jobs
// SPDX-License-Identifier: Apache-2.0

/// Why a per-job daemon did not become ready.
public struct DindStartFailure: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The daemon exited, did not answer in time, or could not be created: an
        /// infrastructure failure, never the job's.
        case daemonFailed
        /// The host's engine does not answer: the job waits for it.
        case engineUnavailable
        /// The job was stopped while its daemon started.
        case canceled
    }

    public var kind: Kind
    public var message: String
    /// The daemon's last lines of output, for the job log.
    public var daemonOutput: [UInt8]

    public init(_ kind: Kind, _ message: String, daemonOutput: [UInt8] = []) {
        self.kind = kind
        self.message = message
        self.daemonOutput = daemonOutput
    }

    public var description: String { self.message }
}
