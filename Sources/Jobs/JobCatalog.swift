// slipway — Jobs
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials

/// The read side of the store for the API (lists, pipelines, the event log), and the few writes
/// that only the API makes. Kept apart from ``JobStore`` so the scheduler's port stays small.
public protocol JobCatalog: Sendable {
    /// Jobs matching `query`, newest first, at most `query.limit`.
    func jobs(matching query: JobQuery) async throws -> [Job]

    /// What `GET /v1/jobs` shows of the jobs matching `query`: as ``jobs(matching:)`` without
    /// reading scripts and variables.
    func jobSummaries(matching query: JobQuery) async throws -> [JobSummary]

    /// What `GET /v1/jobs/{id}` shows of job `id`, or nil.
    func jobSummary(_ id: JobID) async throws -> JobSummary?

    /// Jobs of pipelines created, started or finished at `time` or later, oldest first.
    func pipelineJobs(changedSince time: Date) async throws -> [Job]

    /// Records a new pending job that retries `original` (same specification, linked to it).
    func insertRetry(of original: Job, at time: Date) async throws -> Job

    /// Records a new pipeline.
    func insertPipeline(project: String, ref: String, sha: String?, source: String, at time: Date) async throws -> Pipeline

    func pipeline(_ id: Int64) async throws -> Pipeline?

    /// Pipelines matching `query`, newest first, at most `query.limit`.
    func pipelines(matching query: PipelineQuery) async throws -> [Pipeline]

    /// The jobs of each of `pipelineIDs`, oldest first.
    func jobs(inPipelines pipelineIDs: [Int64]) async throws -> [Int64: [Job]]

    /// How many jobs there are in each status (metrics).
    func jobCounts() async throws -> [JobStatus: Int]

    /// Records `changes` in one transaction and returns them with their ids, in order.
    func appendChanges(_ changes: [StateChange]) async throws -> [StateChange]

    /// Recorded changes with an id above `id`, oldest first, at most `limit`.
    func changes(after id: Int64, limit: Int) async throws -> [StateChange]

    /// Forgets changes recorded before `time`; returns how many.
    func pruneChanges(before time: Date) async throws -> Int
}
