// slipway — Jobs
// SPDX-License-Identifier: Apache-2.0

/// Runs jobs of one kind. The scheduler calls ``run(_:)`` in a task of its own and cancels
/// that task to stop the job (cancel or timeout); the worker then stops and removes what it
/// created before returning.
public protocol Worker: Sendable {
    var kind: WorkerKind { get }

    /// Runs the job to completion. Never throws: every failure is an outcome.
    func run(_ execution: JobExecution) async -> JobOutcome

    /// Follows a job whose container survived a restart of slipway, until it exits.
    func resume(_ execution: JobExecution, containerID: String) async -> JobOutcome
}

/// How a run ended, from the worker's point of view.
public enum JobOutcome: Sendable, Hashable {
    case succeeded
    case failed(FailureReason, exitCode: Int32?)
    /// The run was stopped because its task was canceled; the scheduler knows why.
    case stopped
    /// The engine could not be reached before the job started: the job goes back to the queue.
    case requeue(String)
    /// The engine stopped answering while the job ran. Its container is left alone; the job
    /// stays `running` and is followed again once the engine answers.
    case lostContact(String)
}

/// What a worker gets for one job run.
public struct JobExecution: Sendable {
    public var job: Job
    /// Appends output to the job's log.
    public var log: @Sendable ([UInt8]) async -> Void
    /// Appends a note from slipway to the job's log.
    public var note: @Sendable (String) async -> Void
    /// Records the container and marks the job running; call once it has started.
    public var started: @Sendable (_ containerID: String) async -> Void
    /// Records the container as soon as it exists, so a crash before start can be reconciled.
    public var created: @Sendable (_ containerID: String) async -> Void
    /// Bytes of output the log already holds: what a resumed follow skips.
    public var outputBytes: @Sendable () async -> Int

    public init(job: Job, log: @escaping @Sendable ([UInt8]) async -> Void, note: @escaping @Sendable (String) async -> Void,
                started: @escaping @Sendable (String) async -> Void, created: @escaping @Sendable (String) async -> Void,
                outputBytes: @escaping @Sendable () async -> Int = { 0 }) {
        self.job = job
        self.log = log
        self.note = note
        self.started = started
        self.created = created
        self.outputBytes = outputBytes
    }
}

/// The host directories jobs work in. Each job's workspace is mounted at the same absolute path
/// in its containers, so `docker run -v "$PWD:/src"` inside a job means the same files to
/// whichever daemon resolves it.
public protocol WorkspaceManager: Sendable {
    /// Creates (empty) and returns the absolute path of job `id`'s workspace.
    func prepareWorkspace(for id: JobID) async throws -> String
    /// The absolute path of job `id`'s workspace, whether or not it exists.
    func path(for id: JobID) -> String
    /// Removes job `id`'s workspace; a missing one is not an error. False when something is
    /// left that slipway may not delete: what a job's container, running as root or as another
    /// user, created in directories of its own (see
    /// ``removeWorkspace(for:runtime:instance:image:)``).
    @discardableResult
    func removeWorkspace(for id: JobID) async -> Bool
    /// The jobs that have a workspace on disk.
    func workspaces() async -> [JobID]
}
