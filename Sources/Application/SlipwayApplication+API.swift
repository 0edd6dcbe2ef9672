// slipway — Application
// SPDX-License-Identifier: Apache-2.0

import API
import HTTP
import Jobs
import Logging
import Store
import WebUI

extension SlipwayApplication {
    /// Registers the REST API beyond `/v1/jobs`: pipelines, events, workers and metrics, all
    /// behind the configured access policy.
    static func registerAPI(
        on router: inout Router, configuration: SlipwayConfiguration, access: AccessPolicy, store: SQLiteJobStore, scheduler: Scheduler,
        events: EventHub, metrics: MetricsRegistry, dindWorker: DindWorker?
    ) {
        var pipelines = PipelinesAPI(store: store, scheduler: scheduler)
        pipelines.access = access
        pipelines.register(on: &router)
        var eventsAPI = EventsAPI(hub: events)
        eventsAPI.access = access
        eventsAPI.register(on: &router)
        var operations = OperationsAPI(store: store, scheduler: scheduler, metrics: metrics)
        operations.events = events
        operations.access = access
        if let warmPool = dindWorker?.warmPool {
            operations.warmDaemons = { kind in kind == .dind ? await warmPool.readyCount : nil }
        }
        operations.register(on: &router)
    }

    /// Registers the web pages (`/`, `/pipelines`, `/jobs/{id}`, sign-in, assets) over the same
    /// store, actions and access policy as the API.
    static func registerPages(
        on router: inout Router, configuration: SlipwayConfiguration, access: AccessPolicy, sessions: BrowserSessions,
        store: SQLiteJobStore, logs: FileLogStore, jobs: JobsAPI, scheduler: Scheduler
    ) {
        var pipelines = PipelinesAPI(store: store, scheduler: scheduler)
        pipelines.access = access
        var settings = WebUI.Settings()
        settings.secureCookies = configuration.ui.secureCookies(publicURL: configuration.publicURL)
        WebUI(store: store, logs: logs, jobs: jobs, pipelines: pipelines, access: access, sessions: sessions, settings: settings)
            .register(on: &router)
    }

    /// The server's observer: metrics for every request, plus an access log line at debug
    /// level (path only: the Authorization header is never logged).
    static func makeObserver(metrics: MetricsRegistry, logger: Logger) -> @Sendable (HTTPRequestRecord) -> Void {
        guard logger.logLevel <= .debug else { return { record in metrics.observe(record) } }
        let accessLog = Self.makeAccessLog(logger)
        return { record in
            metrics.observe(record)
            accessLog(record)
        }
    }

    /// Why the store cannot serve, or `nil` when a read succeeds (`/readyz`). Runs on an event
    /// loop thread, where a synchronous read is allowed (it never waits for the writer).
    static func storeProblem(_ store: SQLiteJobStore) -> String? {
        do {
            _ = try store.database.readNow { connection in try connection.first("SELECT 1") }
            return nil
        } catch {
            return "the store cannot be read (\(error))"
        }
    }
}
