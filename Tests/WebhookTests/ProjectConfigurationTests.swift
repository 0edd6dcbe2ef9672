// slipway — webhook tests
// SPDX-License-Identifier: Apache-2.0

import Application
import Foundation
import Testing

/// The `projects:` and `gitlab:` sections.
@Suite("projects configuration")
struct ProjectConfigurationTests {
    @Test func everyKeyIsRead() throws {
        let file = "/tmp/slipway-hook-token-\(getpid())"
        try "from-a-file-123\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let configuration = try SlipwayConfiguration.parse(yaml: """
            gitlab: {max_body_bytes: 30m, default_image: "busybox:1", fetch_timeout: 2m, planners: 3}
            workers: {host: {allowed_projects: [other/one]}}
            projects:
              - path: group/app
                id: 42
                webhook_token_file: \(file)
                clone_url: https://gitlab.example.com/group/app.git
                clone_token_env: SLIPWAY_TEST_CLONE_TOKEN
                default_branch: trunk
                host_worker: true
                variables:
                  - {name: SECRET_ONE, value: "abcdefgh12", masked: true}
                  - {name: PLAIN, value: x}
            """, environment: ["SLIPWAY_TEST_CLONE_TOKEN": "clone-from-env"])
        #expect(configuration.gitlab.maxBodyBytes == 30 << 20)
        #expect(configuration.gitlab.defaultImage == "busybox:1")
        #expect(configuration.gitlab.planners == 3)
        let project = try #require(configuration.projects.first)
        #expect(project.settings.id == 42)
        #expect(project.settings.webhookToken == "from-a-file-123")
        #expect(project.settings.cloneToken == "clone-from-env")
        #expect(project.settings.cloneURL == "https://gitlab.example.com/group/app.git")
        #expect(project.defaultBranch == "trunk")
        #expect(project.settings.variables.map(\.masked) == [true, false])
        #expect(configuration.workers.host.allowedProjects == ["other/one", "group/app"])
        // Printing a project never shows its secrets.
        #expect(!"\(project) \(configuration.projects)".contains("clone-from-env"))
    }

    @Test(arguments: [
        ("projects: [{path: a/b}]", "webhook_token"),
        ("projects: [{path: a/b, webhook_token: 12345678, webhook_token_env: X}]", "exactly one"),
        ("projects: [{path: a/b, webhook_token: short}]", "shorter than 8"),
        ("projects: [{path: a/b, webhook_token: 12345678, clone_url: 'https://u:p@host/a.git'}]", "clone_token"),
        ("projects: [{path: a/b, webhook_token: 12345678, variables: [{name: S, value: short, masked: true}]}]", "at least 8"),
        ("projects: [{path: a/b, webhook_token: 12345678, colour: red}]", "unknown configuration key 'projects[0].colour'"),
        ("projects: [{path: a/b, webhook_token: 12345678}, {path: A/B, webhook_token: 12345678}]", "listed twice"),
        ("projects: [{path: a/b, webhook_token_env: SLIPWAY_TEST_UNSET_VARIABLE}]", "is not set"),
    ])
    func mistakesAreNamed(yaml: String, message: String) {
        #expect {
            try SlipwayConfiguration.parse(yaml: yaml)
        } throws: { error in
            "\(error)".contains(message)
        }
    }
}
