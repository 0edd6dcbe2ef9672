// slipway — Application
// SPDX-License-Identifier: Apache-2.0

import API
import Docker
import FoundationEssentials
import HTTP
import Jobs
import Logging
import Sockets
import Store
import Synchronization

/// The composition root: builds every service from the configuration, runs them, and shuts
/// them down in reverse order (HTTP first, the store last).
public final class SlipwayApplication: Sendable {
    public let configuration: SlipwayConfiguration
    public let logger: Logger
    /// The absolute data directory (workspaces are mounted at the same path in containers).
    public let dataDirectory: String
    /// Identifies this installation in the labels of the containers it creates.
    public let instance: String
    public let store: SQLiteJobStore
    public let logs: FileLogStore
    public let scheduler: Scheduler
    /// The dind worker, when `workers.dind` configures a pool.
    public let dindWorker: DindWorker?
    private let group: EventLoopGroup
    private let server: HTTPServer
    private let monitor: EngineMonitor
    private let background = Mutex<[Task<Void, Never>]>([])

    /// Opens the store and builds the services; nothing listens or runs until ``start()``.
    public init(configuration: SlipwayConfiguration, logger: Logger, runtime: (any ContainerRuntime)? = nil) async throws {
        self.configuration = configuration
        self.logger = logger
        self.dataDirectory = try DataDirectory.prepare(configuration.dataDirectory)
        self.instance = try DataDirectory.instanceIdentifier(in: self.dataDirectory)
        self.store = try await SQLiteJobStore.open(path: "\(self.dataDirectory)/slipway.db")
        self.logs = try FileLogStore(directory: "\(self.dataDirectory)/logs", outputLimit: configuration.workers.outputLimit)
        let workspaces = try DirectoryWorkspaceManager(root: "\(self.dataDirectory)/workspaces")
        self.group = try EventLoopGroup(count: configuration.http.eventLoops, triggerMode: configuration.http.trigger)

        let dockerHost = try Self.dockerHost(configuration.dockerHost)
        let docker = DockerContainerRuntime(host: dockerHost, group: self.group, logger: logger)
        let runtime = runtime ?? docker
        var hostConfiguration = HostWorker.Configuration(dockerSocketPath: docker.socketPath ?? "/var/run/docker.sock", instance: self.instance)
        hostConfiguration.networkMode = configuration.workers.host.network
        hostConfiguration.memoryBytes = configuration.workers.host.memoryBytes
        hostConfiguration.nanoCPUs = configuration.workers.host.cpus.map { Int64($0 * 1e9) }
        hostConfiguration.stopGracePeriod = configuration.workers.stopGracePeriod
        var pools: [WorkerKind: Scheduler.Pool] = [:]
        pools[.host] = .init(worker: HostWorker(configuration: hostConfiguration, runtime: runtime, workspaces: workspaces), concurrency: configuration.workers.host.concurrency)
        let dindWorker = try Self.makeDindWorker(configuration, dataDirectory: self.dataDirectory, instance: self.instance, runtime: runtime, workspaces: workspaces)
        if let dindWorker, let dind = configuration.workers.dind { pools[.dind] = .init(worker: dindWorker, concurrency: dind.concurrency) }
        self.dindWorker = dindWorker
        self.scheduler = Scheduler(store: self.store, logs: self.logs, pools: pools, perProjectLimit: configuration.workers.perProjectLimit)

        let reconciler = Reconciler(store: self.store, logs: self.logs, runtime: runtime, workspaces: workspaces, instance: self.instance)
        let scheduler = self.scheduler
        self.monitor = EngineMonitor(runtime: runtime, scheduler: scheduler, logger: logger) {
            do {
                let report = try await reconciler.reconcile(into: scheduler)
                logger.info("reconciled with the Docker engine", metadata: [
                    "resumed": "\(report.resumed.count)", "finished_while_down": "\(report.finishedWhileDown.count)",
                    "lost": "\(report.lost.count)", "requeued": "\(report.requeued.count)",
                    "removed_containers": "\(report.removedContainers.count)", "removed_workspaces": "\(report.removedWorkspaces.count)",
                    "removed_volumes": "\(report.removedVolumes.count)",
                ])
            } catch {
                logger.error("reconciliation with the Docker engine failed", metadata: ["error": "\(error)"])
            }
            await dindWorker?.recover()
        }

        var router = Router()
        Self.registerHealth(on: &router, monitor: self.monitor)
        var hostPolicy = JobsAPI.HostWorkerPolicy()
        hostPolicy.allowedProjects = Set(configuration.workers.host.allowedProjects)
        hostPolicy.allowAPISubmissions = configuration.workers.host.allowAPISubmissions
        var jobsAPI = JobsAPI(store: self.store, logs: self.logs, scheduler: self.scheduler, hostPolicy: hostPolicy, availableWorkers: Set(pools.keys))
        jobsAPI.limits.defaultTimeout = configuration.workers.defaultTimeout
        jobsAPI.register(on: &router)

        let observer = logger.logLevel <= .debug ? Self.makeAccessLog(logger) : nil
        self.server = HTTPServer(
            configuration: configuration.serverConfiguration, router: router, group: self.group,
            logger: logger, observer: observer
        )
    }

    /// The configured engine, else `DOCKER_HOST`, else the local socket.
    static func dockerHost(_ configured: String?) throws -> DockerHost {
        if let configured { return try DockerHost(parsing: configured) }
        return try DockerHost.fromEnvironment()
    }

    /// One line per request at debug level.
    static func makeAccessLog(_ logger: Logger) -> @Sendable (HTTPRequestRecord) -> Void {
        { record in
            let milliseconds = Double(record.duration.nanoseconds) / 1e6
            logger.debug("request", metadata: [
                "method": "\(record.method)", "path": "\(record.path)", "status": "\(record.status)",
                "version": "\(record.version)", "duration_ms": "\(milliseconds)",
            ])
        }
    }

    static func registerHealth(on router: inout Router, monitor: EngineMonitor) {
        let healthy = HTTPResponse.json(bytes: Array(#"{"status":"ok"}"#.utf8))
        router.get("/healthz", immediate: { _ in healthy })
        let ready = HTTPResponse.json(bytes: Array(#"{"status":"ready"}"#.utf8))
        router.get("/readyz", immediate: { _ in
            let status = monitor.status
            guard status.available else {
                throw HTTPError(.serviceUnavailable, "not ready: the Docker engine does not answer (\(status.lastError ?? "unknown"))",
                                extensions: ["reasons": "docker"], fields: ["Retry-After": "1"])
            }
            return ready
        })
    }

    /// Starts listening and the engine monitor; returns the bound addresses.
    @discardableResult
    public func start() async throws -> [SocketAddress] {
        let addresses = try await self.server.start()
        for address in addresses {
            self.logger.info("listening", metadata: ["address": "\(address)"])
        }
        let monitor = self.monitor
        self.background.withLock { $0.append(Task { await monitor.run() }) }
        return addresses
    }

    /// Graceful shutdown: stop accepting and starting jobs, finish in-flight requests, close the
    /// store. Running jobs keep running; the next start reattaches to them.
    public func shutdown() async {
        self.logger.info("shutting down", metadata: ["grace_period": "\(DurationParsing.format(self.configuration.http.server.shutdownGracePeriod))"])
        await self.scheduler.shutdown()
        await self.dindWorker?.shutdown()
        await self.server.shutdown()
        for task in self.background.withLock({ $0 }) { task.cancel() }
        await self.store.close()
        let group = self.group
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            // Joining threads blocks, so it happens on a thread of its own.
            Thread.detach {
                group.shutdown()
                continuation.resume()
            }
        }
        self.logger.info("stopped")
    }

    public var localAddresses: [SocketAddress] { self.server.localAddresses }
}
