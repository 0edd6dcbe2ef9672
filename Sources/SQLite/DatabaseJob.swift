// slipway — SQLite
// SPDX-License-Identifier: Apache-2.0

/// A caller's closure queued for a database thread, with the continuation that resumes the
/// caller.
protocol DatabaseJob: AnyObject, Sendable {
    /// Whether the job must run alone, outside the writer's group transaction (checkpoints).
    var runsAlone: Bool { get }
    /// Runs the closure on the database thread and keeps its outcome. Returns whether it
    /// succeeded.
    func run(_ connection: SQLiteConnection) -> Bool
    /// Replaces the outcome with a failure: the closure succeeded, but its transaction did not
    /// commit.
    func fail(_ error: any Error)
    /// Releases the closure, then resumes the caller with the outcome. Called exactly once.
    func finish()
}

/// The one ``DatabaseJob`` implementation, typed by the closure's result.
///
/// @unchecked Sendable: the caller creates it, then hands it through the queue's Mutex to one
/// database thread; from then on only that thread touches `body` and `outcome`, until
/// ``finish()`` resumes the caller, after which nobody does.
final class TypedDatabaseJob<T: Sendable>: DatabaseJob, @unchecked Sendable {
    let runsAlone: Bool
    private var body: (@Sendable (SQLiteConnection) throws -> T)?
    private var outcome: Result<T, any Error>?
    private var continuation: CheckedContinuation<T, any Error>?

    init(
        runsAlone: Bool = false,
        body: @escaping @Sendable (SQLiteConnection) throws -> T,
        continuation: CheckedContinuation<T, any Error>
    ) {
        self.runsAlone = runsAlone
        self.body = body
        self.continuation = continuation
    }

    func run(_ connection: SQLiteConnection) -> Bool {
        guard let body = self.body else { return false }
        do {
            self.outcome = .success(try body(connection))
            return true
        } catch {
            self.outcome = .failure(error)
            return false
        }
    }

    func fail(_ error: any Error) {
        self.outcome = .failure(error)
    }

    func finish() {
        // The body is released before the caller resumes: callers pass it through
        // `withoutActuallyEscaping`, which checks on return that nothing still holds it.
        self.body = nil
        guard let continuation = self.continuation else {
            preconditionFailure("a database job finished twice")
        }
        self.continuation = nil
        let outcome = self.outcome ?? .failure(SQLiteError(code: .misuse, message: "the job never ran"))
        self.outcome = nil
        continuation.resume(with: outcome)
    }
}
