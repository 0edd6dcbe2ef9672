// slipway — Sockets
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import CSystem
import Threads
import Synchronization

/// A reactor: one dedicated thread waiting in `epoll_wait` and calling the handlers of ready
/// descriptors, timers and submitted tasks.
///
/// Everything registered with a loop is touched only on its thread, so handlers need no locks.
/// Other threads talk to it through ``execute(_:)``, which queues a closure and wakes the loop
/// through an `eventfd`. Blocking work never runs here, and the loop never runs on Swift's
/// cooperative pool.
public final class EventLoop: @unchecked Sendable {
    // @unchecked: `registrations`, `timers` and `thread` are confined to the loop thread;
    // `submitted` is guarded by its Mutex; the descriptors are immutable after init.

    /// Events are delivered edge-triggered: a descriptor is registered once and its handler
    /// reads or writes until the call would block (nginx's model). Level-triggered delivery is
    /// kept for measurement.
    public enum TriggerMode: String, Sendable {
        case edge
        case level
    }

    private struct Registration {
        unowned(unsafe) var handler: any EventHandler
        var generation: UInt32
        var retained: Unmanaged<AnyObject>
        var trigger: TriggerMode
    }

    public let name: String
    public let triggerMode: TriggerMode
    private let epollDescriptor: CInt
    private let wakeDescriptor: CInt
    private var registrations: [Registration?] = []
    private var nextGeneration: UInt32 = 1
    private var timers = TimerQueue()
    /// Tasks for the loop thread, and whether that thread has ended (then nothing is taken).
    private let submitted = Mutex<(tasks: [@Sendable () -> Void], isStopped: Bool)>(([], false))
    private let wakeupArmed = Atomic<Bool>(false)
    private let stopRequested = Atomic<Bool>(false)
    private let loopThread = Atomic<UInt>(0)
    private var thread: NamedThread?
    private var localTasks: [() -> Void] = []

    /// The loop's cached clock reading, refreshed on every wake-up.
    @inlinable
    public var now: Instant { Instant(nanoseconds: self.cachedNow.load(ordering: .relaxed)) }
    /// Read and written on the loop thread only. An atomic because reading a `var` of a class
    /// from another module is checked for exclusivity at run time, and connections read the
    /// time several times per request; a relaxed atomic load is a plain load.
    @usableFromInline
    let cachedNow = Atomic<UInt64>(Instant.now().nanoseconds)

    /// Creates a loop and starts its thread.
    public static func start(name: String, triggerMode: TriggerMode = .edge) throws(SystemError) -> EventLoop {
        let loop = try EventLoop(name: name, triggerMode: triggerMode)
        loop.startThread()
        return loop
    }

    private init(name: String, triggerMode: TriggerMode) throws(SystemError) {
        self.name = name
        self.triggerMode = triggerMode
        self.epollDescriptor = try Posix.epollCreate()
        do {
            self.wakeDescriptor = try Posix.eventfd()
            try Posix.epollControl(self.epollDescriptor, EPOLL_CTL_ADD, self.wakeDescriptor, events: EPOLLIN.rawValue, data: UInt64.max)
        } catch {
            Posix.close(self.epollDescriptor)
            throw error
        }
    }

    deinit {
        Posix.close(self.wakeDescriptor)
        Posix.close(self.epollDescriptor)
    }

    /// Whether the caller runs on this loop's thread.
    public var inEventLoop: Bool {
        self.loopThread.load(ordering: .relaxed) == UInt(pthread_self())
    }

    // MARK: - Submitting work

    /// Runs `task` on the loop thread, soon. Safe from any thread.
    ///
    /// Returns false, and drops `task`, once the loop thread has ended: a caller whose task
    /// releases a resource (closes a descriptor) must then release it itself.
    @discardableResult
    public func execute(_ task: @escaping @Sendable () -> Void) -> Bool {
        let accepted = self.submitted.withLock { submitted -> Bool in
            guard !submitted.isStopped else { return false }
            submitted.tasks.append(task)
            return true
        }
        guard accepted else { return false }
        if !self.wakeupArmed.exchange(true, ordering: .acquiringAndReleasing) {
            var one: UInt64 = 1
            _ = withUnsafeBytes(of: &one) { Glibc.write(self.wakeDescriptor, $0.baseAddress, 8) }
        }
        return true
    }

    /// Runs `task` on the loop thread after the current batch of events, without a wake-up.
    /// Must be called on the loop thread.
    public func executeLater(_ task: @escaping () -> Void) {
        self.assertInEventLoop()
        self.localTasks.append(task)
    }

    // MARK: - Descriptors

    /// Registers `descriptor` for readability, writability and peer hang-up, delivered to
    /// `handler`. The loop keeps `handler` alive until ``deregister(_:)``.
    ///
    /// - Parameter trigger: overrides the loop's trigger mode for this descriptor: a listener
    ///   that accepts a bounded batch per wake-up needs level triggering, or connections left
    ///   in its backlog would wait for the next one to arrive.
    public func register(_ descriptor: CInt, handler: any EventHandler, interest: EventSet = [.readable, .writable, .readHangup], trigger: TriggerMode? = nil) throws(SystemError) {
        self.assertInEventLoop()
        let index = Int(descriptor)
        if index >= self.registrations.count {
            self.registrations.append(contentsOf: repeatElement(nil, count: max(index + 1 - self.registrations.count, 64)))
        }
        precondition(self.registrations[index] == nil, "descriptor \(descriptor) registered twice")
        let generation = self.nextGeneration
        self.nextGeneration &+= 1
        if self.nextGeneration == 0 { self.nextGeneration = 1 }
        let trigger = trigger ?? self.triggerMode
        try Posix.epollControl(
            self.epollDescriptor, EPOLL_CTL_ADD, descriptor,
            events: Self.epollEvents(for: interest, trigger: trigger),
            data: UInt64(UInt32(bitPattern: descriptor)) | (UInt64(generation) << 32)
        )
        self.registrations[index] = Registration(
            handler: handler, generation: generation, retained: Unmanaged.passRetained(handler as AnyObject), trigger: trigger
        )
    }

    /// Changes the events a registered descriptor is watched for. With edge triggering the
    /// interest never needs to change; with level triggering writability must be watched only
    /// while output is pending, or the loop would spin.
    public func reregister(_ descriptor: CInt, interest: EventSet) {
        self.assertInEventLoop()
        guard let registration = self.registrations[Int(descriptor)] else { return }
        try? Posix.epollControl(
            self.epollDescriptor, EPOLL_CTL_MOD, descriptor,
            events: Self.epollEvents(for: interest, trigger: registration.trigger),
            data: UInt64(UInt32(bitPattern: descriptor)) | (UInt64(registration.generation) << 32)
        )
    }

    /// Stops watching `descriptor` and releases its handler. Call before closing it.
    public func deregister(_ descriptor: CInt) {
        self.assertInEventLoop()
        let index = Int(descriptor)
        guard index < self.registrations.count, let registration = self.registrations[index] else { return }
        self.registrations[index] = nil
        try? Posix.epollControl(self.epollDescriptor, EPOLL_CTL_DEL, descriptor, events: 0, data: 0)
        // Release after the current batch: the handler may be the caller.
        let retained = registration.retained
        self.localTasks.append { retained.release() }
    }

    private static func epollEvents(for interest: EventSet, trigger: TriggerMode) -> UInt32 {
        var events = interest.rawValue
        if trigger == .edge { events |= EPOLLET.rawValue }
        return events
    }

    // MARK: - Timers

    /// Calls `action` on the loop thread once `deadline` has passed, unless cancelled.
    @discardableResult
    public func schedule(at deadline: Instant, _ action: @escaping () -> Void) -> TimerHandle {
        self.assertInEventLoop()
        return self.timers.schedule(at: deadline, action)
    }

    /// Calls `action` on the loop thread after `delay`, unless cancelled.
    @discardableResult
    public func schedule(after delay: Duration, _ action: @escaping () -> Void) -> TimerHandle {
        self.schedule(at: Instant.now() + delay, action)
    }

    // MARK: - Lifecycle

    /// Asks the loop to finish after its current iteration; registered handlers are not called
    /// again. Returns at once; use ``waitUntilStopped()`` to join the thread.
    public func stop() {
        self.stopRequested.store(true, ordering: .releasing)
        self.execute {}
    }

    /// Blocks the calling thread until the loop thread has exited. Never call it from an
    /// async context on the cooperative pool with a loop that may not stop soon.
    @available(*, noasync, message: "joining blocks the calling thread; join from a NamedThread")
    public func waitUntilStopped() {
        guard let thread, !self.inEventLoop else { return }
        thread.join()
        self.thread = nil
    }

    @inline(__always)
    public func assertInEventLoop(file: StaticString = #fileID, line: UInt = #line) {
        assert(self.inEventLoop, "not on event loop \(self.name)", file: file, line: line)
    }

    private func startThread() {
        self.thread = NamedThread.start(name: self.name) { [self] in
            self.loopThread.store(UInt(pthread_self()), ordering: .releasing)
            self.run()
        }
    }

    private func run() {
        let capacity = 256
        let events = UnsafeMutableBufferPointer<epoll_event>.allocate(capacity: capacity)
        defer { events.deallocate() }
        while !self.stopRequested.load(ordering: .acquiring) {
            let timeout = self.nextTimeout()
            let count: Int
            do {
                count = try Posix.epollWait(self.epollDescriptor, events, timeoutMilliseconds: timeout)
            } catch {
                fatalError("epoll_wait failed on \(self.name): \(error)")
            }
            self.cachedNow.store(Instant.now().nanoseconds, ordering: .relaxed)
            for index in 0..<count {
                let event = events[index]
                let data = event.data.u64
                if data == UInt64.max {
                    self.drainWakeups()
                    continue
                }
                let descriptor = Int(UInt32(truncatingIfNeeded: data))
                let generation = UInt32(truncatingIfNeeded: data >> 32)
                // A handler earlier in this batch may have closed the descriptor, and a new
                // connection may have reused its number: the generation tells them apart.
                guard descriptor < self.registrations.count,
                      let registration = self.registrations[descriptor],
                      registration.generation == generation
                else { continue }
                var fired = EventSet(rawValue: event.events)
                if fired.contains(.error) || fired.contains(.hangup) {
                    // Let the handler discover the error through its next read or write.
                    fired.formUnion([.readable, .writable])
                }
                registration.handler.handleEvents(fired)
            }
            self.runExpiredTimers()
            self.runSubmittedTasks()
            self.runLocalTasks()
        }
        self.runLocalTasks()
        // Nothing runs on a stopped loop: drop the timers and tasks left, and what their
        // closures hold (connections, servers), so none of it outlives the loop.
        self.timers = TimerQueue()
        self.submitted.withLock { submitted in
            submitted.isStopped = true
            submitted.tasks.removeAll()
        }
        // Release whatever is still registered; the owners close their descriptors.
        for index in self.registrations.indices {
            if let registration = self.registrations[index] {
                self.registrations[index] = nil
                registration.retained.release()
            }
        }
    }

    private func nextTimeout() -> CInt {
        if !self.localTasks.isEmpty { return 0 }
        guard let deadline = self.timers.nextDeadline else { return -1 }
        let now = Instant.now()
        if deadline <= now { return 0 }
        let milliseconds = (deadline.nanoseconds - now.nanoseconds + 999_999) / 1_000_000
        return CInt(min(milliseconds, UInt64(Int32.max)))
    }

    private func drainWakeups() {
        var value: UInt64 = 0
        _ = withUnsafeMutableBytes(of: &value) { Glibc.read(self.wakeDescriptor, $0.baseAddress, 8) }
    }

    private func runSubmittedTasks() {
        // Disarm before taking the queue: a task submitted after this point writes the eventfd.
        guard self.wakeupArmed.exchange(false, ordering: .acquiringAndReleasing) else { return }
        let tasks = self.submitted.withLock { submitted -> [@Sendable () -> Void] in
            let taken = submitted.tasks
            submitted.tasks.removeAll(keepingCapacity: true)
            return taken
        }
        for task in tasks { task() }
    }

    private func runLocalTasks() {
        while !self.localTasks.isEmpty {
            let tasks = self.localTasks
            self.localTasks.removeAll(keepingCapacity: true)
            for task in tasks { task() }
        }
    }

    private func runExpiredTimers() {
        let now = Instant.now()
        while let action = self.timers.popExpired(now: now) {
            action()
        }
    }
}
