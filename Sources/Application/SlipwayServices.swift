// slipway — Application
// SPDX-License-Identifier: Apache-2.0

import API
import HTTP
import Jobs
import ServiceLifecycle

/// The services of a running slipway, in start order; graceful shutdown visits them in
/// reverse, each finishing before the next is told (swift-service-lifecycle's `ServiceGroup`).
///
/// The order is the shutdown story: the dind worker and the scheduler stop starting jobs,
/// the pipeline work stops, the event hub ends its streams (an SSE stream never ends on its
/// own), the HTTP server then drains what is in flight, the engine monitor stops, the job
/// changes already published are delivered, and the status reporter stops last. The store
/// and the event loops are closed after the group has finished.
extension SlipwayApplication {
    func makeServices() -> [ServiceGroupConfiguration.ServiceConfiguration] {
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let reporter = self.statusReporter {
            services.append(.init(service: StatusReporterService(reporter: reporter), serviceName: "commit statuses"))
        }
        services.append(.init(service: JobChangeDelivery(application: self), serviceName: "job changes"))
        services.append(.init(service: EngineMonitorService(monitor: self.monitor), serviceName: "engine monitor"))
        services.append(.init(service: HTTPServerService(server: self.server), serviceName: "HTTP server"))
        services.append(.init(service: EventHubService(events: self.events), serviceName: "events"))
        services.append(.init(service: PipelinePlannerService(planner: self.planner), serviceName: "pipeline planner"))
        // Stages that were due to start when slipway stopped: once, then done.
        services.append(.init(service: PipelineResumption(runner: self.pipelines), successTerminationBehavior: .ignore,
                              serviceName: "pipeline resumption"))
        services.append(.init(service: SchedulerService(scheduler: self.scheduler), serviceName: "scheduler"))
        if let dindWorker = self.dindWorker {
            services.append(.init(service: DindWorkerService(worker: dindWorker), serviceName: "dind worker"))
        }
        return services
    }
}

/// Posts commit statuses from the outbox until shutdown, then stops after the attempt in flight.
struct StatusReporterService: Service {
    let reporter: CommitStatusReporter

    func run() async throws {
        self.reporter.start()
        try? await gracefulShutdown()
        await self.reporter.stop()
    }
}

/// Hands each job change, in commit order, to the event hub, the commit-status reporter and —
/// for a finished pipeline job, which may let the next stage start — the pipeline runner. At
/// shutdown it delivers what was already published, then ends.
struct JobChangeDelivery: Service {
    let application: SlipwayApplication

    func run() async throws {
        let changes = self.application.changes
        await withGracefulShutdownHandler {
            for await job in changes.stream {
                self.application.events.jobChanged(job)
                self.application.statusReporter?.jobChanged(job)
                if job.specification.pipelineID != nil, job.status.isFinished {
                    await self.application.pipelines.jobChanged(job)
                }
            }
        } onGracefulShutdown: {
            changes.finish()
        }
    }
}

/// Watches the Docker engine (and reconciles when it answers) until shutdown.
struct EngineMonitorService: Service {
    let monitor: EngineMonitor

    func run() async throws {
        let monitor = self.monitor
        await cancelWhenGracefulShutdown { await monitor.run() }
    }
}

/// The listeners are bound by ``SlipwayApplication/start()``; at shutdown the server stops
/// accepting and lets requests in flight finish within its grace period.
struct HTTPServerService: Service {
    let server: HTTPServer

    func run() async throws {
        try? await gracefulShutdown()
        await self.server.shutdown()
    }
}

/// Heartbeats and pruning for `/v1/events`; at shutdown every stream is ended.
struct EventHubService: Service {
    let events: EventHub

    func run() async throws {
        self.events.start()
        try? await gracefulShutdown()
        self.events.stop()
    }
}

/// Plans received pipelines until shutdown.
struct PipelinePlannerService: Service {
    let planner: PipelinePlanner

    func run() async throws {
        let planner = self.planner
        await withGracefulShutdownHandler {
            await planner.run()
        } onGracefulShutdown: {
            planner.stop()
        }
    }
}

/// Advances pipelines that were waiting for a stage when slipway stopped, once.
struct PipelineResumption: Service {
    let runner: PipelineRunner

    func run() async throws {
        await self.runner.resumeAll()
    }
}

/// At shutdown the scheduler stops starting jobs; running ones keep running, and the next
/// start reattaches to them.
struct SchedulerService: Service {
    let scheduler: Scheduler

    func run() async throws {
        try? await gracefulShutdown()
        await self.scheduler.shutdown()
    }
}

/// At shutdown the dind worker stops its warm daemons.
struct DindWorkerService: Service {
    let worker: DindWorker

    func run() async throws {
        try? await gracefulShutdown()
        await self.worker.shutdown()
    }
}
