// slipway — DockerGuard
// SPDX-License-Identifier: Apache-2.0

import Synchronization
import Threads

/// One job's guard: its rules, and what it learned about the job's objects while serving it.
///
/// Facts about a container by its full ID never change (its labels are fixed at creation), so
/// containers the job created, and exec instances of its containers, are remembered and need no
/// engine call the next time. Names are always looked up: they can move to another object.
public final class GuardedJob: Sendable {
    public let rules: RequestGuard
    let lookup: any EngineLookup
    private let memory = Mutex(Memory())

    struct Memory {
        var containers: [String: ObjectFacts] = [:]
        var execs: [String: ObjectFacts] = [:]
        /// Tags the job created (``ImageReference/normalizedTag(_:)`` form).
        var tags: Set<String> = []
    }

    public init(policy: GuardPolicy, lookup: any EngineLookup) {
        self.rules = RequestGuard(policy: policy)
        self.lookup = lookup
    }

    public var policy: GuardPolicy { self.rules.policy }

    /// Tags the job created so far.
    public var createdTags: Set<String> { self.memory.withLock { $0.tags } }

    /// Answers the lookups a decision asked for, at most a few at a time.
    func resolve(_ references: [ObjectReference]) async throws -> [ObjectReference: Resolution] {
        var answers: [ObjectReference: Resolution] = [:]
        try await withThrowingTaskGroup(of: (ObjectReference, Resolution).self) { group in
            for reference in references {
                group.addTask { (reference, try await self.resolve(reference)) }
            }
            for try await (reference, resolution) in group { answers[reference] = resolution }
        }
        return answers
    }

    private func resolve(_ reference: ObjectReference) async throws -> Resolution {
        switch reference {
        case .container(let name):
            if let facts = self.memory.withLock({ $0.containers[name] }) { return .found(facts) }
            let resolution = try await self.lookup.container(name)
            if case .found(let facts) = resolution, self.policy.owns(labels: facts.labels) {
                self.memory.withLock { $0.containers[facts.id] = facts }
            }
            return resolution
        case .exec(let id):
            if let facts = self.memory.withLock({ $0.execs[id] }) { return .found(facts) }
            let resolution = try await self.lookup.exec(id)
            if case .found(let facts) = resolution, self.policy.owns(labels: facts.labels) {
                self.memory.withLock { $0.execs[facts.id] = facts }
            }
            return resolution
        case .volume(let name):
            return try await self.lookup.volume(name)
        case .network(let name):
            return try await self.lookup.network(name)
        case .volumeClaim(let name):
            return try await self.lookup.claimVolume(name, labels: self.policy.creationLabels)
        case .workspacePath(let path):
            let workspace = RequestGuard.normalizedHostPath(self.policy.workspace) ?? self.policy.workspace
            return try await NamedThread.run(name: "guard-path") { WorkspacePathCheck.resolve(path, workspace: workspace) }
        case .imageTag(let tag):
            return self.memory.withLock { $0.tags.contains(tag) } ? .found(ObjectFacts(id: tag, labels: self.policy.ownerLabels)) : .absent
        }
    }

    // MARK: - What the engine answered

    func recordContainer(id: String, bindSources: [String]) {
        let facts = ObjectFacts(id: id, labels: self.policy.creationLabels, bindSources: bindSources)
        self.memory.withLock { $0.containers[id] = facts }
    }

    func recordExec(id: String) {
        let facts = ObjectFacts(id: id, labels: self.policy.creationLabels)
        self.memory.withLock { $0.execs[id] = facts }
    }

    func recordTags(_ tags: [String]) {
        self.memory.withLock { $0.tags.formUnion(tags) }
    }
}
