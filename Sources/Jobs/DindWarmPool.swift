// slipway — Jobs
// SPDX-License-Identifier: Apache-2.0

/// Ready daemons kept started so a job does not wait for one: each is handed to exactly one
/// job, and a replacement starts in the background as soon as one is taken.
public actor DindWarmPool {
    /// The pool's state, for tests and `/v1/workers`.
    public struct Snapshot: Sendable, Hashable {
        public var target: Int
        /// Names of the ready daemons, oldest first.
        public var ready: [String]
        public var starting: Int
        /// Why the last start failed, if it did.
        public var lastFailure: String?
    }

    private let target: Int
    private let launcher: DindDaemonLauncher
    private let workspaceRoot: String?
    private var ready: [DindDaemon] = []
    private var starting = 0
    private var isRunning = false
    private var lastFailure: String?
    /// After a failed start the pool waits before trying again, so a broken image does not
    /// make it start daemons in a tight loop.
    private var retryTask: Task<Void, Never>?
    private static let retryDelay: Duration = .seconds(5)

    public init(target: Int, launcher: DindDaemonLauncher, workspaceRoot: String?) {
        self.target = target
        self.launcher = launcher
        self.workspaceRoot = workspaceRoot
    }

    /// Starts filling the pool (after start-up reconciliation, which would reap daemons started
    /// before it).
    public func start() {
        guard !self.isRunning else { return }
        self.isRunning = true
        self.refill()
    }

    /// A ready daemon that still answers, or `nil` when none is ready. Never blocks on a start.
    public func take() async -> DindDaemon? {
        defer { self.refill() }
        while !self.ready.isEmpty {
            let daemon = self.ready.removeFirst()
            do {
                try await self.launcher.runtime.pingDaemon(socketPath: daemon.socketPath, timeout: .seconds(1))
                return daemon
            } catch {
                // It died while waiting; never hand out a daemon that does not answer.
                self.lastFailure = "warm daemon \(daemon.name) stopped answering: \(error)"
                let launcher = self.launcher
                Task { await launcher.tearDown(daemon) }
            }
        }
        return nil
    }

    /// Stops refilling and removes the ready daemons (daemons handed to jobs are theirs).
    public func shutdown() async {
        self.isRunning = false
        self.retryTask?.cancel()
        let daemons = self.ready
        self.ready.removeAll()
        for daemon in daemons { await self.launcher.tearDown(daemon) }
    }

    /// How many daemons are ready to be handed to jobs now.
    public var readyCount: Int { self.ready.count }

    public func snapshot() -> Snapshot {
        Snapshot(target: self.target, ready: self.ready.map(\.name), starting: self.starting, lastFailure: self.lastFailure)
    }

    /// Suspends until `target` daemons are ready (tests, benchmarks), or `timeout` passes.
    public func waitUntilFull(timeout: Duration) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while self.ready.count < self.target {
            if clock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    private func refill() {
        guard self.isRunning, self.retryTask == nil, let workspaceRoot else { return }
        while self.ready.count + self.starting < self.target {
            self.starting += 1
            let launcher = self.launcher
            Task {
                let result = await launcher.launch(.init(workspace: workspaceRoot))
                await self.arrived(result)
            }
        }
    }

    private func arrived(_ result: Result<DindDaemon, DindStartFailure>) async {
        self.starting -= 1
        switch result {
        case .success(let daemon):
            guard self.isRunning else {
                await self.launcher.tearDown(daemon)
                return
            }
            self.ready.append(daemon)
            self.refill()
        case .failure(let failure):
            self.lastFailure = failure.message
            guard self.isRunning, self.retryTask == nil else { return }
            self.retryTask = Task {
                try? await Task.sleep(for: Self.retryDelay)
                self.retry()
            }
        }
    }

    private func retry() {
        self.retryTask = nil
        self.refill()
    }
}
