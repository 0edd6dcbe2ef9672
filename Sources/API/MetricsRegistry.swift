// slipway — API
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import HTTP
import Jobs
import Synchronization

/// Counters and histograms for `GET /metrics` (Prometheus text format 0.0.4). Values that the
/// store or the scheduler already know (jobs by status, queue depth) are read when scraped.
public final class MetricsRegistry: Sendable {
    private struct RequestKey: Hashable {
        var route: String
        var method: String
        var status: Int
    }

    private struct RouteKey: Hashable {
        var route: String
        var method: String
    }

    private struct State {
        var requests: [RequestKey: Int] = [:]
        var latencies: [RouteKey: Histogram] = [:]
        var jobDurations: [WorkerKind: Histogram] = [:]
        var queueWaits: [WorkerKind: Histogram] = [:]
        var jobsFinished: [String: Int] = [:]
        var webhookDeliveries: [String: Int] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// Counts a finished request (the HTTP server's observer).
    public func observe(_ record: HTTPRequestRecord) {
        // The route pattern, never the raw path: ids would make a series per job.
        let route = record.route ?? "unmatched"
        let (wholeSeconds, attoseconds) = record.duration.components
        let seconds = Double(wholeSeconds) + Double(attoseconds) / 1e18
        self.state.withLock { state in
            state.requests[RequestKey(route: route, method: record.method.rawValue, status: record.status), default: 0] += 1
            // One lookup (hashing two strings) per request, not three.
            state.latencies[RouteKey(route: route, method: record.method.rawValue), default: Histogram(bounds: Histogram.latencyBounds)]
                .observe(seconds)
        }
    }

    /// Records queue wait when a job starts and duration when it finishes.
    public func observe(_ job: Job) {
        let kind = job.specification.worker
        if job.status == .running, let startedAt = job.startedAt {
            let wait = startedAt.timeIntervalSince(job.createdAt)
            self.state.withLock { state in
                if state.queueWaits[kind] == nil { state.queueWaits[kind] = Histogram(bounds: Histogram.jobBounds) }
                state.queueWaits[kind]!.observe(max(0, wait))
            }
        } else if job.status.isFinished {
            let duration = job.duration(now: Date())
            self.state.withLock { state in
                state.jobsFinished[job.status.rawValue, default: 0] += 1
                if let duration {
                    if state.jobDurations[kind] == nil { state.jobDurations[kind] = Histogram(bounds: Histogram.jobBounds) }
                    state.jobDurations[kind]!.observe(max(0, duration))
                }
            }
        }
    }

    /// Counts a webhook delivery by its outcome (`accepted`, `ignored`, `duplicate`, `rejected`).
    public func recordWebhookDelivery(outcome: String) {
        self.state.withLock { $0.webhookDeliveries[outcome, default: 0] += 1 }
    }

    /// The exposition text, with the scrape-time values passed in.
    public func render(jobsByStatus: [JobStatus: Int], pools: [Scheduler.PoolSnapshot], eventSubscribers: Int) -> String {
        let state = self.state.withLock { $0 }
        var text = ""
        text += "# HELP slipway_http_requests_total HTTP requests answered, by route pattern, method and status.\n"
        text += "# TYPE slipway_http_requests_total counter\n"
        for (key, count) in state.requests.sorted(by: { ($0.key.route, $0.key.method, $0.key.status) < ($1.key.route, $1.key.method, $1.key.status) }) {
            text += "slipway_http_requests_total{route=\"\(Self.escape(key.route))\",method=\"\(key.method)\",status=\"\(key.status)\"} \(count)\n"
        }
        text += "# HELP slipway_http_request_duration_seconds Time from the request head to the response head.\n"
        text += "# TYPE slipway_http_request_duration_seconds histogram\n"
        for (key, histogram) in state.latencies.sorted(by: { ($0.key.route, $0.key.method) < ($1.key.route, $1.key.method) }) {
            histogram.render(name: "slipway_http_request_duration_seconds", labels: "route=\"\(Self.escape(key.route))\",method=\"\(key.method)\"", into: &text)
        }
        text += "# HELP slipway_jobs Jobs in the store, by status.\n"
        text += "# TYPE slipway_jobs gauge\n"
        for status in JobStatus.allCases {
            text += "slipway_jobs{status=\"\(status.rawValue)\"} \(jobsByStatus[status] ?? 0)\n"
        }
        text += "# HELP slipway_jobs_finished_total Jobs that finished since start, by status.\n"
        text += "# TYPE slipway_jobs_finished_total counter\n"
        for status in JobStatus.allCases where status.isFinished {
            text += "slipway_jobs_finished_total{status=\"\(status.rawValue)\"} \(state.jobsFinished[status.rawValue] ?? 0)\n"
        }
        text += "# HELP slipway_queue_depth Jobs waiting for a slot, by worker pool.\n"
        text += "# TYPE slipway_queue_depth gauge\n"
        for pool in pools { text += "slipway_queue_depth{worker=\"\(pool.kind.rawValue)\"} \(pool.pending)\n" }
        text += "# HELP slipway_workers_busy Busy slots, by worker pool.\n"
        text += "# TYPE slipway_workers_busy gauge\n"
        for pool in pools { text += "slipway_workers_busy{worker=\"\(pool.kind.rawValue)\"} \(pool.busy)\n" }
        text += "# HELP slipway_workers_concurrency Slots, by worker pool.\n"
        text += "# TYPE slipway_workers_concurrency gauge\n"
        for pool in pools { text += "slipway_workers_concurrency{worker=\"\(pool.kind.rawValue)\"} \(pool.concurrency)\n" }
        text += "# HELP slipway_job_duration_seconds Run time of finished jobs, by worker pool.\n"
        text += "# TYPE slipway_job_duration_seconds histogram\n"
        for kind in WorkerKind.allCases {
            (state.jobDurations[kind] ?? Histogram(bounds: Histogram.jobBounds))
                .render(name: "slipway_job_duration_seconds", labels: "worker=\"\(kind.rawValue)\"", into: &text)
        }
        text += "# HELP slipway_job_queue_wait_seconds Time from submission to start, by worker pool.\n"
        text += "# TYPE slipway_job_queue_wait_seconds histogram\n"
        for kind in WorkerKind.allCases {
            (state.queueWaits[kind] ?? Histogram(bounds: Histogram.jobBounds))
                .render(name: "slipway_job_queue_wait_seconds", labels: "worker=\"\(kind.rawValue)\"", into: &text)
        }
        text += "# HELP slipway_webhook_deliveries_total GitLab webhook deliveries, by outcome.\n"
        text += "# TYPE slipway_webhook_deliveries_total counter\n"
        for outcome in Set(["accepted", "ignored", "duplicate", "rejected"]).union(state.webhookDeliveries.keys).sorted() {
            text += "slipway_webhook_deliveries_total{outcome=\"\(Self.escape(outcome))\"} \(state.webhookDeliveries[outcome] ?? 0)\n"
        }
        text += "# HELP slipway_event_subscribers Open /v1/events streams.\n"
        text += "# TYPE slipway_event_subscribers gauge\n"
        text += "slipway_event_subscribers \(eventSubscribers)\n"
        return text
    }

    /// Label values escape `\`, `"` and newlines.
    static func escape(_ value: String) -> String {
        value.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"").replacing("\n", with: "\\n")
    }
}
