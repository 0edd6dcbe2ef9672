// slipway — DockerGuard
// SPDX-License-Identifier: Apache-2.0

/// What the guard does with one request.
public enum GuardDecision: Sendable, Hashable {
    /// The rules need to know about these objects first: look them up and decide again.
    case lookUp([ObjectReference])
    /// Answer the client with this error; the engine never sees the request.
    case refuse(GuardRefusal)
    /// Send the request on, as rewritten.
    case forward(Forwarding)
}

/// A request on its way to the engine.
public struct Forwarding: Sendable, Hashable {
    /// The origin-form target to send (version prefix, path, query), rebuilt by the guard.
    public var target: String
    /// The body to send instead of the client's (the rules rewrote it); `nil`: the client's
    /// body, streamed as it arrives.
    public var body: [UInt8]?
    public var response: ResponseHandling

    public init(target: String, body: [UInt8]? = nil, response: ResponseHandling = .relay) {
        self.target = target
        self.body = body
        self.response = response
    }

    /// What a rule returns while an object it needs is not looked up yet; ``RequestGuard``
    /// answers ``GuardDecision/lookUp(_:)`` instead, so it never reaches the engine.
    static let pendingLookups = Forwarding(target: "")
}

/// What the guard does with the engine's answer.
public enum ResponseHandling: Sendable, Hashable {
    /// Pass it on byte for byte (streams and connection upgrades included).
    case relay
    /// A created container: its `Id` is remembered as the job's, with the host paths it binds.
    case recordContainer(bindSources: [String])
    /// A created exec instance: its `Id` is remembered as the job's.
    case recordExec
    /// Image tags the job made, remembered once the engine answers 2xx.
    case recordTags([String])
    /// Image tags a build or import makes, remembered once its progress stream ends without
    /// an error.
    case recordTagsAfterStream([String])
    /// `/system/df`: containers and volumes of other jobs are left out.
    case filterDataUsage
}
