// slipway — Jobs
// SPDX-License-Identifier: Apache-2.0

import Synchronization

/// Runs one job container to completion: create, start, stream output, wait — and, however it
/// ends (exit, cancel, timeout, engine failure), stop and remove the container.
///
/// Shared by both worker kinds: the dind worker prepares a daemon first and then runs the job
/// container exactly like the host worker.
public struct ContainerJobRun: Sendable {
    public var runtime: any ContainerRuntime
    /// How long a stopped job gets between SIGTERM and SIGKILL.
    public var stopGracePeriod: Duration

    public init(runtime: any ContainerRuntime, stopGracePeriod: Duration) {
        self.runtime = runtime
        self.stopGracePeriod = stopGracePeriod
    }

    /// Creates and runs `specification` for `execution`.
    public func run(_ specification: ContainerSpecification, for execution: JobExecution) async -> JobOutcome {
        let containerID: String
        do {
            // No separate image check: the engine refuses to create a container of a missing
            // image, and one round trip fewer is a faster start.
            containerID = try await self.runtime.createContainer(specification)
        } catch ContainerRuntimeFailure.imageNotFound(let message) {
            await execution.note(message)
            return .failed(.imageNotFound, exitCode: nil)
        } catch ContainerRuntimeFailure.engineUnavailable(let message) {
            return .requeue(message)
        } catch is CancellationError {
            return .stopped
        } catch {
            await execution.note("cannot create the job container: \(error)")
            return .failed(.runnerSystemFailure, exitCode: nil)
        }
        // The store writes run alongside the engine calls, not before them: each is an fsync,
        // and the container's labels already let a restarted slipway find it.
        async let recordedCreation: Void = execution.created(containerID)
        // Attached before the start, the output streams as it is written (reading the log
        // after the start would wait on the engine's log files). Without it, follow the log.
        let attached = try? await self.runtime.attachOutput(containerID)
        do {
            try await self.runtime.startContainer(containerID)
        } catch {
            attached?.close()
            await recordedCreation
            await self.remove(containerID)
            if Task.isCancelled { return .stopped }
            if case ContainerRuntimeFailure.engineUnavailable(let message) = error { return .requeue(message) }
            await execution.note("cannot start the job container: \(error)")
            return .failed(.runnerSystemFailure, exitCode: nil)
        }
        await recordedCreation
        async let recordedStart: Void = execution.started(containerID)
        let outcome = await self.follow(containerID, for: execution, attached: attached)
        await recordedStart
        return outcome
    }

    private enum Progress: Sendable {
        case outputEnded
        case exited(JobOutcome)
        case drainTimedOut
    }

    /// After the container exits, how long the output stream may take to deliver its last bytes.
    private static let outputDrainPeriod: Duration = .seconds(5)

    /// Streams the output of a started container and waits for its exit; stops it if the task
    /// is canceled. Removes the container in every case.
    ///
    /// - Parameter skipping: bytes of output the log already holds (a resumed job): the
    ///   engine replays the output from the start, and these are not appended again.
    ///   - attached: the container's output, attached before it started; `nil` follows the
    ///     engine's log instead.
    public func follow(_ containerID: String, for execution: JobExecution, skipping: Int = 0, attached: (any ContainerOutputStream)? = nil) async -> JobOutcome {
        let outcome = await withTaskGroup(of: Progress.self) { group -> JobOutcome in
            group.addTask {
                if let attached {
                    defer { attached.close() }
                    do {
                        while let bytes = try await attached.next() { await execution.log(bytes) }
                    } catch {
                        if !Task.isCancelled { await execution.note("the job's output stream broke: \(error)") }
                    }
                    return .outputEnded
                }
                do {
                    let skipper = OutputSkipper(skipping)
                    try await self.runtime.followOutput(containerID, sinceUnixTime: nil) { bytes in
                        let kept = skipper.drop(from: bytes)
                        if !kept.isEmpty { await execution.log(Array(kept)) }
                    }
                } catch {
                    if !Task.isCancelled { await execution.note("the job's output stream broke: \(error)") }
                }
                return .outputEnded
            }
            group.addTask {
                do {
                    let code = try await self.runtime.waitForExit(containerID)
                    return .exited(code == 0 ? .succeeded : .failed(.scriptFailure, exitCode: code))
                } catch ContainerRuntimeFailure.engineUnavailable(let message) {
                    if Task.isCancelled { return .exited(.stopped) }
                    return .exited(.lostContact(message))
                } catch {
                    if Task.isCancelled { return .exited(.stopped) }
                    await execution.note("lost track of the job container: \(error)")
                    return .exited(.failed(.runnerSystemFailure, exitCode: nil))
                }
            }
            var outcome: JobOutcome?
            var outputEnded = false
            while let progress = await group.next() {
                switch progress {
                case .outputEnded:
                    outputEnded = true
                case .exited(let result):
                    outcome = result
                    if !outputEnded {
                        // The stream ends by itself once the container is gone; bound the wait.
                        group.addTask {
                            try? await Task.sleep(for: Self.outputDrainPeriod)
                            return .drainTimedOut
                        }
                    }
                case .drainTimedOut:
                    outputEnded = true
                }
                if outcome != nil && outputEnded { break }
            }
            group.cancelAll()
            return outcome ?? .stopped
        }
        if Task.isCancelled {
            await self.stopAndRemove(containerID)
            return .stopped
        }
        // Without the engine nothing can be removed, and the job may well still be running.
        if case .lostContact = outcome { return outcome }
        await self.remove(containerID)
        return outcome
    }

    /// Stops (grace period, then kill) and removes the container. Runs in a task of its own so
    /// that the cancellation that asked for the stop does not cancel the clean-up itself.
    public func stopAndRemove(_ containerID: String) async {
        let runtime = self.runtime
        let grace = self.stopGracePeriod
        await Task {
            try? await runtime.stopContainer(containerID, gracePeriod: grace)
            try? await runtime.removeContainer(containerID)
        }.value
    }

    public func remove(_ containerID: String) async {
        let runtime = self.runtime
        await Task { try? await runtime.removeContainer(containerID) }.value
    }
}

/// Drops the first bytes of a replayed output stream: those the log already holds.
final class OutputSkipper: Sendable {
    private let remaining: Mutex<Int>

    init(_ count: Int) { self.remaining = Mutex(count) }

    /// What is left of `bytes` once the bytes still to skip are dropped.
    func drop(from bytes: [UInt8]) -> ArraySlice<UInt8> {
        self.remaining.withLock { remaining in
            let dropped = min(remaining, bytes.count)
            remaining -= dropped
            return bytes[dropped...]
        }
    }
}
