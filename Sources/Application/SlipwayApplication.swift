// slipway — Application
// SPDX-License-Identifier: Apache-2.0

import API
import CommitStatus
import Docker
import DockerGuard
import FoundationEssentials
import GitLab
import HTTP
import Jobs
import Logging
import ServiceLifecycle
import UnixSignals
import Sockets
import Store
import Synchronization
import Threads

/// The composition root: builds every service from the configuration, runs them as one
/// ServiceGroup (``makeServices()`` lists them in start order; shutdown goes in reverse), and
/// closes the store and the event loops once they have all stopped.
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
    /// Job and pipeline events (`/v1/events`, long-poll, metrics).
    public let events: EventHub
    public let metrics: MetricsRegistry
    /// Moves pipelines through their stages.
    public let pipelines: PipelineRunner
    let planner: PipelinePlanner
    /// Posts job statuses to GitLab; `nil` without `gitlab.url`.
    public let statusReporter: CommitStatusReporter?
    /// The dind worker, when `workers.dind` configures a pool.
    public let dindWorker: DindWorker?
    /// Host jobs' guarded Docker sockets, with `workers.host.docker_api: guarded`.
    public let dockerGuard: DockerGuard?
    private let group: EventLoopGroup
    let server: HTTPServer
    /// Job changes in commit order, delivered to the event hub, the status reporter and the
    /// pipeline runner by one task (``deliverJobChanges()``).
    let changes = JobChanges()
    /// The running service group and the task that runs it, once started.
    private let running = Mutex<(group: ServiceGroup, task: Task<Void, Never>)?>(nil)
    private let stopped = Mutex<Task<Void, Never>?>(nil)
    let monitor: EngineMonitor

    /// Opens the store and builds the services; nothing listens or runs until ``start()``.
    public init(configuration: SlipwayConfiguration, logger: Logger, runtime: (any ContainerRuntime)? = nil) async throws {
        self.configuration = configuration
        self.logger = logger
        // Creating directories and the instance file blocks: not on the cooperative pool.
        let (dataDirectory, instance, logs, directories, dindDirectories) = try await NamedThread.run(name: "start-up") {
            let dataDirectory = try DataDirectory.prepare(configuration.dataDirectory)
            return (dataDirectory, try DataDirectory.instanceIdentifier(in: dataDirectory),
                    try FileLogStore(directory: "\(dataDirectory)/logs", outputLimit: configuration.workers.outputLimit),
                    try DirectoryWorkspaceManager(root: "\(dataDirectory)/workspaces"),
                    try Self.dindDirectories(configuration, dataDirectory: dataDirectory))
        }
        self.dataDirectory = dataDirectory
        self.instance = instance
        self.logs = logs
        self.store = try await SQLiteJobStore.open(path: "\(self.dataDirectory)/slipway.db")
        let mirror = GitRepositoryMirror(directory: "\(self.dataDirectory)/git", fetchTimeout: configuration.gitlab.fetchTimeout, logger: logger)
        // Pipeline jobs start in a checkout of their commit.
        let workspaces = CheckoutWorkspaceManager(base: directories, store: self.store, mirror: mirror)
        self.group = try EventLoopGroup(count: configuration.http.eventLoops, triggerMode: configuration.http.trigger)

        let dockerHost = try Self.dockerHost(configuration.dockerHost)
        let docker = DockerContainerRuntime(host: dockerHost, group: self.group, logger: logger)
        let runtime = runtime ?? docker
        var hostConfiguration = HostWorker.Configuration(dockerSocketPath: docker.socketPath ?? "/var/run/docker.sock", instance: self.instance)
        hostConfiguration.networkMode = configuration.workers.host.network
        hostConfiguration.memoryBytes = configuration.workers.host.memoryBytes
        hostConfiguration.nanoCPUs = configuration.workers.host.cpus.map { Int64($0 * 1e9) }
        hostConfiguration.stopGracePeriod = configuration.workers.stopGracePeriod
        hostConfiguration.pidsLimit = configuration.workers.host.pidsLimit
        let socketGuard = try await Self.makeSocketGuard(configuration, engine: docker, dataDirectory: self.dataDirectory,
                                                         instance: self.instance, group: self.group, logger: logger)
        self.dockerGuard = socketGuard?.dockerGuard
        var pools: [WorkerKind: Scheduler.Pool] = [:]
        pools[.host] = .init(worker: HostWorker(configuration: hostConfiguration, runtime: runtime, workspaces: workspaces, socketGuard: socketGuard),
                             concurrency: configuration.workers.host.concurrency)
        // Pipeline jobs of either worker start in a checkout of their commit.
        let dindWorker = try Self.makeDindWorker(configuration, directories: dindDirectories, instance: self.instance, runtime: runtime,
                                                 workspaces: workspaces, workspaceRoot: directories.root)
        if let dindWorker, let dind = configuration.workers.dind { pools[.dind] = .init(worker: dindWorker, concurrency: dind.concurrency) }
        self.dindWorker = dindWorker
        let metrics = MetricsRegistry()
        self.metrics = metrics
        let events = EventHub(catalog: self.store, settings: configuration.api.events, logger: logger) { job in metrics.observe(job) }
        self.events = events
        let changes = self.changes
        let store = self.store
        let projects = configuration.projects
        // Workers write job output through the masker: masked project variables never reach a log.
        let maskedLogs = MaskingLogStore(base: self.logs) { id in
            guard let job = try? await store.job(id), job.specification.pipelineID != nil,
                  let project = projects.first(where: { $0.path == job.specification.project }) else { return [] }
            return project.settings.variables.filter(\.masked).map(\.value) + [project.settings.cloneToken].compactMap { $0 }
        }
        let reporter = try await Self.makeStatusReporter(configuration, store: self.store, group: self.group, logger: logger)
        self.statusReporter = reporter
        self.scheduler = Scheduler(store: self.store, logs: maskedLogs, pools: pools, perProjectLimit: configuration.workers.perProjectLimit,
                                   engineAvailable: false, onChange: changes.publish)
        let runner = PipelineRunner(store: self.store, scheduler: self.scheduler, onChange: changes.publish,
                                    onPipelineChange: { id in events.pipelineChanged(id) })
        self.pipelines = runner
        let hostProjects = Set(configuration.workers.host.allowedProjects)
        self.planner = PipelinePlanner(
            store: self.store, runner: runner, mirror: mirror, projects: configuration.projects,
            settings: .init(
                defaultImage: configuration.gitlab.defaultImage, defaultTimeout: configuration.workers.defaultTimeout,
                concurrency: configuration.gitlab.planners,
                poolTags: pools.mapValues { _ in [] }, hostProjects: hostProjects,
                workspacePath: { id in directories.path(for: id) }),
            logger: logger)

        let reconciler = Reconciler(store: self.store, logs: self.logs, runtime: runtime, workspaces: workspaces, instance: self.instance,
                                    dindImage: configuration.workers.dind?.image)
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
        Self.registerHealth(on: &router, monitor: self.monitor, store: self.store)
        // One policy for the API and the pages: the pages' session cookie counts as its token
        // on the API's GET endpoints.
        let sessions = BrowserSessions(lifetime: configuration.ui.sessionLifetime)
        var access = configuration.api.accessPolicy
        access.sessions = sessions
        var hostPolicy = JobsAPI.HostWorkerPolicy()
        hostPolicy.allowedProjects = Set(configuration.workers.host.allowedProjects)
        hostPolicy.allowAPISubmissions = configuration.workers.host.allowAPISubmissions
        var jobsAPI = JobsAPI(store: self.store, logs: self.logs, scheduler: self.scheduler, hostPolicy: hostPolicy, availableWorkers: Set(pools.keys))
        jobsAPI.limits.defaultTimeout = configuration.workers.defaultTimeout
        jobsAPI.loopReads = self.store
        jobsAPI.events = events
        jobsAPI.access = access
        jobsAPI.maxWait = configuration.api.maxWait
        jobsAPI.logHeartbeat = configuration.api.events.heartbeatInterval
        jobsAPI.register(on: &router)
        Self.registerAPI(on: &router, configuration: configuration, access: access, store: self.store, scheduler: self.scheduler, events: events,
                         metrics: metrics, dindWorker: self.dindWorker)
        Self.registerPages(on: &router, configuration: configuration, access: access, sessions: sessions, store: self.store, logs: self.logs,
                           jobs: jobsAPI, scheduler: self.scheduler)
        WebhookEndpoint(
            receiver: WebhookReceiver(projects: configuration.projects.map(\.settings)), projects: configuration.projects,
            store: self.store, planner: self.planner, metrics: metrics, logger: logger, access: access,
            maxBodyBytes: configuration.gitlab.maxBodyBytes
        ).register(on: &router)

        let observer = Self.makeObserver(metrics: metrics, logger: logger)
        self.server = HTTPServer(
            configuration: configuration.serverConfiguration, router: router, group: self.group,
            logger: logger, observer: observer
        )
    }

    /// The guarded sockets of host jobs, with `workers.host.docker_api: guarded`.
    static func makeSocketGuard(_ configuration: SlipwayConfiguration, engine: DockerContainerRuntime, dataDirectory: String, instance: String,
                                group: EventLoopGroup, logger: Logger) async throws -> HostJobSocketGuard? {
        let pool = configuration.workers.host
        let anyGuarded = pool.dockerAPI == .guarded || pool.guardSettings.projects.contains { $0.dockerAPI == .guarded }
        guard anyGuarded, pool.concurrency > 0 else { return nil }
        var settings = DockerGuard.Settings(socketDirectory: pool.guardSettings.socketDirectory ?? "\(dataDirectory)/guard", engine: engine.host)
        settings.maxConnectionsPerJob = pool.guardSettings.maxConnections
        settings.headerTimeout = pool.guardSettings.headerTimeout
        let lookup = DockerEngineLookup(client: { try await engine.client() })
        let dockerGuard = DockerGuard(settings: settings, group: group, lookup: lookup, logger: logger)
        try await dockerGuard.prepareDirectory()
        return HostJobSocketGuard(dockerGuard: dockerGuard, pool: pool, instance: instance, engineSocketPath: engine.socketPath)
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

    static func registerHealth(on router: inout Router, monitor: EngineMonitor, store: SQLiteJobStore) {
        let healthy = HTTPResponse.json(bytes: Array(#"{"status":"ok"}"#.utf8))
        router.get("/healthz", immediate: { _ in healthy })
        let ready = HTTPResponse.json(bytes: Array(#"{"status":"ready"}"#.utf8))
        router.get("/readyz", immediate: { _ in
            let status = monitor.status
            var reasons: [String] = []
            if !status.available { reasons.append("docker: the Docker engine does not answer (\(status.lastError ?? "unknown"))") }
            if let problem = Self.storeProblem(store) { reasons.append("store: \(problem)") }
            guard reasons.isEmpty else {
                var response = HTTPError(.serviceUnavailable, "not ready: \(reasons.joined(separator: "; "))",
                                         fields: ["Retry-After": "1"]).response
                // `reasons` as a JSON array: HTTPError's extension members are strings only.
                let document = ReadinessProblem(detail: "not ready: \(reasons.joined(separator: "; "))", reasons: reasons)
                response.body = ResponseBody(bytes: (try? JSONCoding.encode(document)) ?? [])
                return response
            }
            return ready
        })
    }

    /// The 503 body of `/readyz`.
    struct ReadinessProblem: Encodable {
        var type = "about:blank"
        var title = "Service Unavailable"
        var status = 503
        var detail: String
        var reasons: [String]
    }

    /// Binds the listeners and starts every service; returns the bound addresses.
    /// - Parameter shutdownSignals: signals that start a graceful shutdown (`slipway serve`:
    ///   SIGTERM and SIGINT); tests call ``shutdown()`` instead.
    @discardableResult
    public func start(shutdownSignals: [UnixSignal] = []) async throws -> [SocketAddress] {
        // Before anything can change a job: a status queued now must not overtake a newer one.
        await self.reportStatusesLostInTheLastStop()
        let addresses = try await self.server.start()
        for address in addresses {
            self.logger.info("listening", metadata: ["address": "\(address)"])
        }
        if !self.configuration.api.accessPolicy.isEnabled {
            self.logger.notice("no API tokens are configured: every endpoint is open to anyone who can connect (api.tokens)")
        }
        let services = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: self.makeServices(), gracefulShutdownSignals: shutdownSignals, logger: self.logger))
        let logger = self.logger
        let task = Task {
            do {
                try await services.run()
            } catch {
                logger.error("a service stopped slipway", metadata: ["error": "\(error)"])
            }
        }
        self.running.withLock { $0 = (services, task) }
        return addresses
    }

    /// Graceful shutdown: the services stop in reverse start order (new jobs stop starting,
    /// event streams end, requests in flight finish), then the store and the event loops
    /// close. Running jobs keep running; the next start reattaches to them.
    public func shutdown() async {
        self.logger.info("shutting down", metadata: ["grace_period": "\(DurationParsing.format(self.configuration.http.server.shutdownGracePeriod))"])
        if let services = self.running.withLock({ $0?.group }) {
            await services.triggerGracefulShutdown()
        }
        await self.waitUntilStopped()
    }

    /// Waits until the services have stopped (after ``shutdown()`` or a shutdown signal), then
    /// closes the store and the event loops, once.
    public func waitUntilStopped() async {
        let finishing = self.stopped.withLock { stopped -> Task<Void, Never> in
            if let stopped { return stopped }
            let running = self.running.withLock { $0?.task }
            let task = Task { [self] in
                await running?.value
                await self.store.close()
                await self.group.shutdownGracefully()
                self.logger.info("stopped")
            }
            stopped = task
            return task
        }
        await finishing.value
    }

    public var localAddresses: [SocketAddress] { self.server.localAddresses }
}
