// slipway — Application
// SPDX-License-Identifier: Apache-2.0

import CommitStatus
import FoundationEssentials
import HTTP
import Logging
import Sockets
import Store

extension SlipwayApplication {
    /// The commit status reporter for `configuration`, or `nil` when `gitlab.url` is unset.
    ///
    /// Only jobs of pipelines report, to the project, commit and ref their pipeline record holds
    /// (set from the webhook or `POST /v1/pipelines`): never from a job's variables, which a
    /// `.gitlab-ci.yml` or an API submitter could set to post statuses elsewhere with
    /// slipway's token. Jobs submitted through the API report nowhere.
    static func makeStatusReporter(_ configuration: SlipwayConfiguration, store: SQLiteJobStore, group: EventLoopGroup, logger: Logger) async throws -> CommitStatusReporter? {
        guard let url = configuration.gitlab.url else { return nil }
        var settings = CommitStatusReporter.Configuration()
        settings.credentials = configuration.commitStatusCredentials
        settings.publicURL = configuration.publicURL
        if let caFile = configuration.gitlab.caFile { settings.tls.trustRoots = .file(caFile) }
        settings.retry = configuration.status.retry
        let projects = configuration.projects
        let reporter = CommitStatusReporter(
            outbox: SQLiteCommitStatusOutbox(store: store), configuration: settings, group: group, logger: logger,
            targetFor: { job in
                guard let pipelineID = job.specification.pipelineID, let pipeline = try? await store.pipeline(pipelineID),
                      let sha = pipeline.sha else { return nil }
                let project = projects.first { $0.path == pipeline.project }
                // GitLab takes a project's numeric id or its URL-encoded path.
                let projectID = project?.settings.id.map(String.init) ?? pipeline.project
                return CommitStatusTarget(gitlabURL: url, projectID: projectID, sha: sha, ref: pipeline.ref,
                                          name: job.specification.name, projectPath: pipeline.project)
            })
        do {
            try await reporter.prepare(gitlabURL: url)
        } catch {
            throw ConfigurationError("gitlab: cannot set up the client for \(url): \(error)")
        }
        if settings.credentials.globalToken == nil, settings.credentials.projectTokens.isEmpty {
            logger.warning("gitlab.url is set but no status token is: commit statuses will be given up; set gitlab.status_token or projects[].status_token")
        }
        return reporter
    }

    /// Queues again the current commit status of every pipeline job that changed within the
    /// outbox's give-up window (``CommitStatusReporter/reportCurrentStatuses(of:)``): after a
    /// crash between a job's status change and its outbox entry, GitLab still hears of it.
    func reportStatusesLostInTheLastStop() async {
        guard let reporter = self.statusReporter else { return }
        let since = Date().addingTimeInterval(-reporter.configuration.retry.giveUpAfter.seconds)
        do {
            let jobs = try await self.store.pipelineJobs(changedSince: since)
            let queued = await reporter.reportCurrentStatuses(of: jobs)
            if queued > 0 {
                self.logger.notice("queued commit statuses lost when slipway last stopped", metadata: ["count": "\(queued)"])
            }
        } catch {
            self.logger.error("cannot look for commit statuses lost in the last stop", metadata: ["error": "\(error)"])
        }
    }
}
