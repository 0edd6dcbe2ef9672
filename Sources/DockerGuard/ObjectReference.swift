// slipway — DockerGuard
// SPDX-License-Identifier: Apache-2.0

/// Something the rules need looked up before they can decide.
public enum ObjectReference: Sendable, Hashable {
    /// A container by name, ID or ID prefix.
    case container(String)
    /// An exec instance by ID.
    case exec(String)
    case volume(String)
    /// A network by name, ID or ID prefix.
    case network(String)
    /// A named volume a new container mounts: created with the job's labels unless it exists.
    case volumeClaim(String)
    /// A host path below the workspace that a container bind-mounts: whether it still leads
    /// there (no symbolic link on the way).
    case workspacePath(String)
    /// An image tag (normalised, see ``ImageReference``): whether the job created it.
    case imageTag(String)
}

/// What a lookup found.
public enum Resolution: Sendable, Hashable {
    /// No such object (or, for a tag, not one the job created).
    case absent
    case found(ObjectFacts)
    /// A workspace path: every component that exists is a real directory inside the workspace.
    case pathInside
    /// A workspace path that leaves the workspace; the reason names the component.
    case pathEscapes(String)
}

/// The facts about an object the rules decide on.
public struct ObjectFacts: Sendable, Hashable {
    /// The full ID (containers, networks, execs) or the name (volumes).
    public var id: String
    /// Its labels; for an exec instance, its container's.
    public var labels: [String: String]
    /// Containers: the host paths of their bind mounts.
    public var bindSources: [String]

    public init(id: String, labels: [String: String], bindSources: [String] = []) {
        self.id = id
        self.labels = labels
        self.bindSources = bindSources
    }
}
