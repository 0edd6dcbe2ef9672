// slipway — commit status tests
// SPDX-License-Identifier: Apache-2.0

import Application
import CommitStatus
import Foundation
import Sockets
import Testing
import TestSupport

/// The configuration keys of the reporter.
@Suite struct CommitStatusConfigurationTests {
    @Test func readsEveryKey() throws {
        let configuration = try SlipwayConfiguration.parse(yaml: """
            public_url: https://slipway.example.com
            gitlab:
              url: https://gitlab.example.com
              status_token: glpat-global-secret
              ca_file: /etc/slipway/gitlab-ca.pem
            status:
              give_up_after: 2h
              retry_initial: 500ms
              retry_max: 1m
            projects:
              - path: group/app
                id: 42
                webhook_token: hook-secret-for-app
                status_token: glpat-project-secret
              - path: group/other
                webhook_token: hook-secret-for-other
            """)
        #expect(configuration.publicURL == "https://slipway.example.com")
        #expect(configuration.gitlab.url == "https://gitlab.example.com")
        #expect(configuration.gitlab.caFile == "/etc/slipway/gitlab-ca.pem")
        #expect(configuration.status.retry.giveUpAfter == .seconds(7200))
        #expect(configuration.status.retry.initialDelay == .milliseconds(500))
        #expect(configuration.status.retry.maximumDelay == .seconds(60))
        let credentials = configuration.commitStatusCredentials
        #expect(credentials.globalToken?.value == "glpat-global-secret")
        #expect(credentials.projectTokens["42"]?.value == "glpat-project-secret")
        #expect(credentials.projectTokens["group/app"]?.value == "glpat-project-secret")
        #expect(credentials.projectTokens["group/other"] == nil)
        for text in ["\(configuration)", String(reflecting: configuration), "\(credentials)"] {
            #expect(!text.contains("secret"), "\(text)")
        }
    }

    @Test(arguments: [
        ("gitlab:\n  url: gitlab.example.com", "gitlab.url"),
        ("gitlab:\n  status_token: ''", "gitlab.status_token"),
        ("gitlab:\n  token: x", "unknown configuration key 'gitlab.token'"),
        ("public_url: slipway.example.com", "public_url"),
        ("status:\n  retry_initial: 0s", "retry_initial"),
        ("projects:\n  - status_token: glpat-abc", "projects[0]"),
        ("projects: nope", "projects"),
    ])
    func refusesBadValues(yaml: String, mentions: String) {
        let error = #expect(throws: ConfigurationError.self) { try SlipwayConfiguration.parse(yaml: yaml) }
        #expect(error?.message.contains(mentions) == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("glpat-abc") != true)
    }

    @Test func theApplicationRunsAReporterOnlyWithAGitLabURL() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let logs = LogCapture()
        var configuration = SlipwayConfiguration()
        configuration.dataDirectory = directory
        configuration.listen = [.ipv4(host: "127.0.0.1", port: 0)]
        configuration.http.eventLoops = 1
        let plain = try await SlipwayApplication(configuration: configuration, logger: logs.logger)
        #expect(plain.statusReporter == nil)
        await plain.shutdown()

        configuration.gitlab.url = "https://gitlab.example.com"
        configuration.gitlab.caFile = "\(directory)/missing-ca.pem"
        let error = await #expect(throws: ConfigurationError.self) {
            try await SlipwayApplication(configuration: configuration, logger: logs.logger)
        }
        #expect(error?.message.contains("missing-ca.pem") == true, "\(error?.message ?? "")")

        configuration.gitlab.caFile = nil
        let reporting = try await SlipwayApplication(configuration: configuration, logger: logs.logger)
        #expect(reporting.statusReporter != nil)
        #expect(logs.records.contains { $0.level == .warning && $0.message.contains("no status token") })
        await reporting.shutdown()
    }
}
