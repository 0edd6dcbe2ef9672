// slipway — Application
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import GitLab
import Jobs
import Logging
import Store
import Synchronization

/// Turns received pipelines into jobs, after the webhook has been answered: fetches the commit
/// into the project's bare mirror, reads its `.gitlab-ci.yml`, plans the jobs and hands them to
/// the ``PipelineRunner``. A pipeline that cannot be planned fails with the reason
/// (`config_error` and the message naming the keyword and line; `runner_system_failure` when
/// git could not fetch).
///
/// Work comes from the store (pipelines in intake `received`), never from memory alone, so a
/// pipeline acknowledged just before a crash is planned after the restart.
final class PipelinePlanner: Sendable {
    struct Settings: Sendable {
        var defaultImage: String
        var defaultTimeout: Duration
        var concurrency: Int
        /// The worker pools that exist, with the tags each carries.
        var poolTags: [WorkerKind: Set<String>]
        /// Projects allowed on the host worker.
        var hostProjects: Set<String>
        /// Where job `id`'s workspace will be (`CI_PROJECT_DIR`).
        var workspacePath: @Sendable (JobID) -> String
    }

    private let store: SQLiteJobStore
    private let runner: PipelineRunner
    private let mirror: GitRepositoryMirror
    private let projects: [ProjectConfiguration]
    private let settings: Settings
    private let logger: Logger
    private let signal: AsyncStream<Void>.Continuation
    private let signals: AsyncStream<Void>
    /// `.gitlab-ci.yml` texts by project and commit: redeliveries and pipelines of one commit
    /// (a push, then its merge request) read it once.
    private let configurations = Mutex<[String: String?]>([:])
    /// Commits known to be in their project's mirror: a fetch of one of them would only ask git
    /// to confirm it.
    private let fetched = Mutex<Set<String>>([])

    init(store: SQLiteJobStore, runner: PipelineRunner, mirror: GitRepositoryMirror, projects: [ProjectConfiguration],
         settings: Settings, logger: Logger) {
        self.store = store
        self.runner = runner
        self.mirror = mirror
        self.projects = projects
        self.settings = settings
        self.logger = logger
        (self.signals, self.signal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Says that received pipelines are waiting (after a webhook or `POST /v1/pipelines`).
    func wake() {
        self.signal.yield()
    }

    func stop() {
        self.signal.finish()
    }

    /// Plans received pipelines as they arrive, `concurrency` at a time, until ``stop()``.
    func run() async {
        var cursor: Int64 = 0
        self.signal.yield()  // whatever was received before a restart
        for await _ in self.signals {
            while !Task.isCancelled {
                let batch: [(pipeline: Pipeline, trigger: String)]
                do {
                    batch = try await self.store.receivedPipelines(after: cursor, limit: 64)
                } catch {
                    self.logger.error("cannot read received pipelines", metadata: ["error": "\(error)"])
                    break
                }
                guard let last = batch.last else { break }
                cursor = last.pipeline.id
                await withTaskGroup(of: Void.self) { group in
                    var running = 0
                    for entry in batch {
                        if running == self.settings.concurrency {
                            await group.next()
                            running -= 1
                        }
                        group.addTask { await self.plan(entry.pipeline, trigger: entry.trigger) }
                        running += 1
                    }
                }
            }
        }
    }

    // MARK: - Planning one pipeline

    /// Why a pipeline cannot run, and how that is recorded.
    private struct Refusal: Error {
        var status: PipelineStatus = .failed
        var reason: FailureReason?
        var message: String
    }

    func plan(_ pipeline: Pipeline, trigger text: String) async {
        do {
            let drafts = try await self.drafts(for: pipeline, trigger: text)
            try await self.runner.start(drafts.pipeline, jobs: drafts.jobs)
            self.logger.info("pipeline planned", metadata: [
                "pipeline": "\(pipeline.id)", "project": "\(pipeline.project)", "ref": "\(pipeline.ref)", "jobs": "\(drafts.jobs.count)",
            ])
        } catch let refusal as Refusal {
            self.logger.notice("pipeline not run", metadata: [
                "pipeline": "\(pipeline.id)", "project": "\(pipeline.project)", "status": "\(refusal.status.rawValue)",
                "reason": "\(refusal.reason?.rawValue ?? "-")", "message": "\(refusal.message)",
            ])
            do {
                try await self.runner.settle(pipeline.id, status: refusal.status, reason: refusal.reason, message: refusal.message)
            } catch {
                self.logger.error("cannot record a pipeline's failure", metadata: ["pipeline": "\(pipeline.id)", "error": "\(error)"])
            }
        } catch {
            // A store failure: the pipeline stays `received` and is planned again after a restart.
            self.logger.error("cannot plan pipeline", metadata: ["pipeline": "\(pipeline.id)", "error": "\(error)"])
        }
    }

    private func drafts(for stored: Pipeline, trigger text: String) async throws -> (pipeline: Pipeline, jobs: [PipelineJobDraft]) {
        var pipeline = stored
        var trigger: PipelineTrigger
        do {
            trigger = try JSONDecoder().decode(PipelineTrigger.self, from: Data(text.utf8))
        } catch {
            throw Refusal(reason: .unknownFailure, message: "the stored trigger of this pipeline cannot be read (\(error))")
        }
        guard let project = self.projects.first(where: { $0.path == stored.project }) else {
            throw Refusal(reason: .configError, message: "project \(stored.project) is no longer in slipway's configuration (projects[])")
        }
        let credentials = project.settings.cloneToken.map { GitCredentials(token: $0) }
        if trigger.project.defaultBranch == nil { trigger.project.defaultBranch = project.defaultBranch }

        // Fetch: a pipeline started for a ref learns its commit now.
        do {
            if trigger.sha.isEmpty {
                trigger.sha = try await self.mirror.resolve(ref: trigger.ref.fullRef, url: trigger.cloneURL, credentials: credentials)
                try await self.store.setPipelineSHA(trigger.sha, for: pipeline.id)
                pipeline.sha = trigger.sha
            }
            let key = "\(project.path)@\(trigger.sha)"
            if !self.fetched.withLock({ $0.contains(key) }) {
                try await self.mirror.fetch(project: project.path, url: trigger.cloneURL, ref: trigger.ref.fullRef, sha: trigger.sha,
                                            credentials: credentials)
                self.fetched.withLock { fetched in
                    if fetched.count >= 4096 { fetched.removeAll() }
                    fetched.insert(key)
                }
            }
            if trigger.commitMessage == nil {
                trigger.commitMessage = try await self.mirror.commitMessage(project: project.path, sha: trigger.sha)
            }
        } catch let error as GitLabError {
            throw Refusal(reason: .runnerSystemFailure, message: "cannot fetch the commit: \(error.message)")
        }
        // Tag pushes and new branches carry no message in the webhook: the skip check happens here.
        if trigger.source != .api, let message = trigger.commitMessage, CommitMessage.requestsSkip(message) {
            throw Refusal(status: .skipped, message: "the commit message asks to skip CI ([skip ci])")
        }

        let configuration: CIConfiguration
        do {
            guard let yaml = try await self.configurationText(project: project.path, sha: trigger.sha) else {
                throw Refusal(reason: .configError, message: "commit \(trigger.sha.prefix(8)) has no .gitlab-ci.yml; add one at the repository's root")
            }
            configuration = try CIConfiguration.parse(yaml)
        } catch let error as GitLabError {
            throw Refusal(reason: error.code == .configError ? .configError : .runnerSystemFailure,
                          message: error.code == .configError ? ".gitlab-ci.yml: \(error.description)" : error.message)
        }
        let plan = configuration.plan(for: trigger, pipelineID: pipeline.id, projectVariables: project.settings.variables)
        guard !plan.isEmpty else {
            throw Refusal(status: .skipped, message: "no job of .gitlab-ci.yml matches this pipeline (rules, only and except chose none)")
        }
        return (pipeline, try self.drafts(plan, trigger: trigger, pipeline: pipeline, project: project))
    }

    private func drafts(_ plan: PipelinePlan, trigger: PipelineTrigger, pipeline: Pipeline, project: ProjectConfiguration) throws -> [PipelineJobDraft] {
        let onHost = self.settings.hostProjects.contains(project.path)
        let pipelineVariables = PredefinedVariables.pipeline(trigger, pipelineID: pipeline.id)
        var drafts: [PipelineJobDraft] = []
        for (stageIndex, stage) in plan.stages.enumerated() {
            for job in stage.jobs {
                let kind: WorkerKind
                do {
                    kind = try job.workerKind(poolTags: self.settings.poolTags, default: onHost ? .host : .dind)
                } catch let error as GitLabError {
                    throw Refusal(reason: .configError, message: ".gitlab-ci.yml: \(error.message)")
                }
                if kind == .host && !onHost {
                    throw Refusal(reason: .configError, message: """
                        job \(job.name) would run on the host worker, which project \(project.path) may not use; \
                        add it to workers.host.allowed_projects (or set host_worker: true on the project) if it is trusted
                        """)
                }
                guard self.settings.poolTags[kind] != nil else {
                    throw Refusal(reason: .configError, message: "job \(job.name) needs a \(kind.rawValue) worker, and this server has no \(kind.rawValue) worker pool")
                }
                let when: StagedJob.When = switch job.when {
                case .onSuccess, .never: .onSuccess
                case .onFailure: .onFailure
                case .always: .always
                }
                let image = job.image ?? self.settings.defaultImage
                let timeout = job.timeout ?? self.settings.defaultTimeout
                let workspacePath = self.settings.workspacePath
                let variables = project.settings.variables
                let path = project.path
                drafts.append(PipelineJobDraft(stageIndex: stageIndex, when: when, allowFailure: job.allowFailure, interruptible: job.interruptible) { id in
                    JobSpecification(
                        name: job.name, image: image, script: job.commands,
                        variables: job.environment(pipelineVariables: pipelineVariables, jobID: id.rawValue,
                                                   projectDirectory: workspacePath(id), projectVariables: variables),
                        worker: kind, timeout: timeout, project: path, pipelineID: pipeline.id, stage: job.stage, ref: trigger.ref.name)
                })
            }
        }
        return drafts
    }

    private func configurationText(project: String, sha: String) async throws -> String? {
        let key = "\(project)@\(sha)"
        if let cached = self.configurations.withLock({ $0[key] }) { return cached }
        let text = try await self.mirror.file(project: project, sha: sha, path: ".gitlab-ci.yml")
        self.configurations.withLock { cache in
            if cache.count >= 256 { cache.removeAll() }
            cache[key] = .some(text)
        }
        return text
    }
}
