// slipway — Application
// SPDX-License-Identifier: Apache-2.0

import CommitStatus
import HTTP
import Logging
import Sockets
import Store

extension SlipwayApplication {
    /// The commit status reporter for `configuration`, or `nil` when `gitlab.url` is unset.
    ///
    /// Jobs report nowhere yet (`targetFor` is `nil` for all): jobs submitted through the API
    /// must not post statuses with slipway's token, and the webhook intake, which knows a
    /// job's GitLab project and commit, will supply the target.
    static func makeStatusReporter(_ configuration: SlipwayConfiguration, store: SQLiteJobStore, group: EventLoopGroup, logger: Logger) throws -> CommitStatusReporter? {
        guard let url = configuration.gitlab.url else { return nil }
        var settings = CommitStatusReporter.Configuration()
        settings.credentials = configuration.commitStatusCredentials
        settings.publicURL = configuration.publicURL
        if let caFile = configuration.gitlab.caFile { settings.tls.trustRoots = .file(caFile) }
        settings.retry = configuration.status.retry
        let reporter = CommitStatusReporter(outbox: SQLiteCommitStatusOutbox(store: store), configuration: settings, group: group, logger: logger)
        do {
            try reporter.prepare(gitlabURL: url)
        } catch {
            throw ConfigurationError("gitlab: cannot set up the client for \(url): \(error)")
        }
        if settings.credentials.globalToken == nil, settings.credentials.projectTokens.isEmpty {
            logger.warning("gitlab.url is set but no status token is: commit statuses will be given up; set gitlab.status_token or projects[].status_token")
        }
        return reporter
    }
}
