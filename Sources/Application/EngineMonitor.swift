// slipway — Application
// SPDX-License-Identifier: Apache-2.0

import Jobs
import Logging
import Synchronization

/// Watches the Docker engine with `/_ping`: while it does not answer, `/readyz` fails and the
/// scheduler starts nothing (jobs wait `pending`); the first time it answers, slipway
/// reconciles what an earlier run left behind.
final class EngineMonitor: Sendable {
    private let runtime: any ContainerRuntime
    private let scheduler: Scheduler
    private let logger: Logger
    private let state = Mutex<(available: Bool, lastError: String?)>((false, "not checked yet"))
    private let onFirstContact: @Sendable () async -> Void

    init(runtime: any ContainerRuntime, scheduler: Scheduler, logger: Logger, onFirstContact: @escaping @Sendable () async -> Void) {
        self.runtime = runtime
        self.scheduler = scheduler
        self.logger = logger
        self.onFirstContact = onFirstContact
    }

    /// Whether the engine answered the last ping, and why not if it did not.
    var status: (available: Bool, lastError: String?) { self.state.withLock { $0 } }

    /// Pings until the task is canceled: every 5 s while the engine answers, every second while
    /// it does not (so pending jobs start soon after it returns).
    func run() async {
        var contacted = false
        var reportedDown = false
        await self.scheduler.setEngineAvailable(false)
        while !Task.isCancelled {
            let available: Bool
            do {
                try await self.runtime.ping()
                available = true
                let wasAvailable = self.state.withLock { state -> Bool in
                    defer { state = (true, nil) }
                    return state.available
                }
                if !wasAvailable && reportedDown { self.logger.info("the Docker engine answers again") }
                reportedDown = false
            } catch {
                available = false
                let wasAvailable = self.state.withLock { state -> Bool in
                    defer { state = (false, "\(error)") }
                    return state.available
                }
                _ = wasAvailable
                if !reportedDown {
                    reportedDown = true
                    self.logger.warning("the Docker engine does not answer; jobs wait until it does", metadata: ["error": "\(error)"])
                }
            }
            if available && !contacted {
                contacted = true
                await self.onFirstContact()
            }
            await self.scheduler.setEngineAvailable(available)
            try? await Task.sleep(for: available ? .seconds(5) : .seconds(1))
        }
    }
}
