// slipway — GitLab tests
// SPDX-License-Identifier: Apache-2.0

import GitLab
import Jobs
import Testing

@Suite struct CIConfigurationTests {
    static let project = PipelineTrigger.Project(id: 15, path: "group/app", webURL: "https://gitlab.example.com/group/app", defaultBranch: "main")

    static func trigger(_ source: PipelineTrigger.Source = .push, _ ref: PipelineRef = .branch("main")) -> PipelineTrigger {
        PipelineTrigger(
            source: source, project: Self.project, ref: ref, sha: "da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
            commitMessage: "Add feature", mergeRequest: source == .mergeRequestEvent ? .init(iid: 4, sourceBranch: ref.name, targetBranch: "main") : nil,
            userLogin: "jsmith", cloneURL: "https://gitlab.example.com/group/app.git")
    }

    static let twoStages = """
        stages: [build, test]

        variables:
          IMAGE_TAG: app:$CI_COMMIT_SHORT_SHA
          DOCKER_DRIVER: overlay2

        default:
          image: docker:27
          before_script:
            - docker info
          timeout: 30m

        build-image:
          stage: build
          services: [docker:27-dind]
          script:
            - docker build -t "$IMAGE_TAG" .
          interruptible: true
          tags: [docker]

        unit:
          image: alpine:3.20
          script: ./test.sh
          after_script:
            - echo cleanup
          allow_failure: true
          timeout: 1h 30m
          variables:
            LEVEL: "3"
        """

    @Test func parsesAndPlansTwoStages() throws {
        let configuration = try CIConfiguration.parse(Self.twoStages)
        #expect(configuration.stages == [".pre", "build", "test", ".post"])
        #expect(configuration.jobs.map(\.name) == ["build-image", "unit"])
        let plan = configuration.plan(for: Self.trigger(), pipelineID: 1)
        #expect(plan.stages.map(\.name) == ["build", "test"])
        let build = plan.stages[0].jobs[0]
        #expect(build.image == "docker:27")
        #expect(build.worker == .dind)
        #expect(build.commands == ["docker info", #"docker build -t "$IMAGE_TAG" ."#])
        #expect(build.timeout == .seconds(1800))
        #expect(build.interruptible)
        #expect(build.tags == ["docker"])
        #expect(!build.allowFailure)
        let unit = plan.stages[1].jobs[0]
        #expect(unit.image == "alpine:3.20")
        #expect(unit.worker == nil)
        #expect(unit.allowFailure)
        #expect(unit.timeout == .seconds(5400))
        #expect(unit.beforeScript == ["docker info"], "default: before_script applies to every job")
        #expect(unit.afterScript == ["echo cleanup"])
        #expect(unit.commands.count == 3)
        #expect(unit.commands[0].contains("trap ") && unit.commands[0].contains("echo cleanup"))

        let environment = unit.environment(
            pipelineVariables: PredefinedVariables.pipeline(Self.trigger(), pipelineID: 1), jobID: 12, projectDirectory: "/w/12",
            projectVariables: [ProjectVariable(name: "DOCKER_DRIVER", value: "vfs")])
        #expect(environment["IMAGE_TAG"] == "app:da156088")
        #expect(environment["LEVEL"] == "3")
        #expect(environment["DOCKER_DRIVER"] == "vfs")
        #expect(environment["CI_JOB_NAME"] == "unit")
        #expect(environment["CI_JOB_STAGE"] == "test")
        #expect(environment["CI_JOB_ID"] == "12")
        #expect(environment["CI_PROJECT_DIR"] == "/w/12")
    }

    @Test func workerChoice() throws {
        let plan = try CIConfiguration.parse(Self.twoStages).plan(for: Self.trigger(), pipelineID: 1)
        let build = plan.jobs[0]
        let unit = plan.jobs[1]
        #expect(try build.workerKind(poolTags: [.dind: ["docker"], .host: []], default: .host) == .dind)
        #expect(throws: GitLabError.self) { try build.workerKind(poolTags: [.dind: [], .host: ["docker"]], default: .host) }
        #expect(try unit.workerKind(poolTags: [:], default: .host) == .host)
        var tagged = unit
        tagged.tags = ["fast", "cache"]
        #expect(try tagged.workerKind(poolTags: [.host: ["fast", "cache", "x"], .dind: ["fast"]], default: .dind) == .host)
    }

    @Test func afterScriptRunsAfterAFailureAndKeepsTheStatus() async throws {
        let job = PlannedJob(name: "j", stage: "test", image: nil, beforeScript: ["echo before"], script: ["echo main", "false", "echo unreachable"],
                             afterScript: ["echo after in $(basename \"$PWD\")", "cd /"])
        let directory = "/tmp/slipway-after-\(UInt32.random(in: 0...UInt32.max))"
        let program = "mkdir -p \(directory) && " + JobScript.program(for: job.commands, workingDirectory: directory)
        let result = try await Shell.run(program)
        #expect(result.status == 1)
        #expect(result.output.contains("main\n"))
        #expect(!result.output.contains("unreachable\n"))
        #expect(result.output.contains("Running after_script"))
        #expect(result.output.contains("after in slipway-after-"))
        let success = PlannedJob(name: "j", stage: "test", image: nil, script: ["true"], afterScript: ["false"])
        let ok = try await Shell.run("mkdir -p \(directory) && " + JobScript.program(for: success.commands, workingDirectory: directory))
        #expect(ok.status == 0, "a failing after_script does not fail the job")
    }

    // MARK: - extends and anchors

    @Test func extendsMultiLevelDeepMerge() throws {
        let yaml = """
            .base:
              image: alpine
              variables:
                A: base
                B: base
              tags: [one]
              script: [echo base]

            .middle:
              extends: .base
              variables:
                B: middle
                C: middle
              tags: [two]

            .other:
              timeout: 10m

            job:
              extends: [.middle, .other]
              variables:
                C: job
              script: [echo job]
            """
        let job = try #require(try CIConfiguration.parse(yaml).jobs.first)
        #expect(job.image == "alpine")
        #expect(job.variables == [CIVariable(name: "A", value: "base"), CIVariable(name: "B", value: "middle"), CIVariable(name: "C", value: "job")])
        #expect(job.tags == ["two"], "lists are replaced, not merged")
        #expect(job.script == ["echo job"])
        #expect(job.timeout == .seconds(600))
    }

    @Test func anchorsAliasesAndMergeKeys() throws {
        let yaml = """
            .defaults: &defaults
              image: node:20
              interruptible: true

            .setup: &setup
              - npm ci
              - npm run lint

            test:
              <<: *defaults
              image: node:22
              script:
                - *setup
                - npm test
            """
        let job = try #require(try CIConfiguration.parse(yaml).jobs.first)
        #expect(job.image == "node:22", "keys written in the mapping win over merged ones")
        #expect(job.interruptible)
        #expect(job.script == ["npm ci", "npm run lint", "npm test"], "nested lists from aliases are flattened")
    }

    // MARK: - Errors with keyword and line

    struct Failure: Sendable, CustomStringConvertible {
        var name: String
        var yaml: String
        var keyword: String?
        var line: Int?
        var fragment: String
        var description: String { self.name }
    }

    static let failures: [Failure] = [
        Failure(name: "unsupported job keyword", yaml: "build:\n  script: make\n  artifacts:\n    paths: [out]\n",
                keyword: "artifacts", line: 3, fragment: "artifacts keyword is not supported"),
        Failure(name: "include refused", yaml: "stages: [a]\n\ninclude:\n  - local: other.yml\njob:\n  stage: a\n  script: x\n",
                keyword: "include", line: 3, fragment: "include is not supported"),
        Failure(name: "workflow refused", yaml: "workflow:\n  rules: []\njob:\n  script: x\n", keyword: "workflow", line: 1,
                fragment: "workflow keyword"),
        Failure(name: "unsupported keyword inherited through extends", yaml: ".t:\n  cache:\n    paths: [x]\njob:\n  extends: .t\n  script: x\n",
                keyword: "cache", line: 2, fragment: "cache keyword"),
        Failure(name: "unknown stage", yaml: "stages: [build]\njob:\n  stage: deploy\n  script: x\n", keyword: "stage", line: 3,
                fragment: "stage deploy is not listed"),
        Failure(name: "default stage missing from stages", yaml: "stages: [build]\njob:\n  script: x\n", keyword: "stage", line: 2,
                fragment: "stage test is not listed"),
        Failure(name: "no script", yaml: "job:\n  image: alpine\n", keyword: "script", line: 1, fragment: "has no script"),
        Failure(name: "extends unknown", yaml: "job:\n  extends: .missing\n  script: x\n", keyword: "extends", line: 2,
                fragment: ".missing, which is not defined"),
        Failure(name: "extends loop", yaml: ".a:\n  extends: .b\n.b:\n  extends: .a\njob:\n  extends: .a\n  script: x\n",
                keyword: "extends", line: nil, fragment: "extends loops"),
        Failure(name: "invalid rules:if", yaml: "job:\n  script: x\n  rules:\n    - if: '$A = \"x\"'\n", keyword: "rules:if", line: 4,
                fragment: "unknown operator"),
        Failure(name: "rules:changes", yaml: "job:\n  script: x\n  rules:\n    - changes: [a]\n", keyword: "rules:changes", line: 4,
                fragment: "rules:changes is not supported"),
        Failure(name: "rules with only", yaml: "job:\n  script: x\n  only: [main]\n  rules:\n    - when: always\n", keyword: "only",
                line: 3, fragment: "cannot be used together with rules"),
        Failure(name: "when manual", yaml: "job:\n  script: x\n  when: manual\n", keyword: "when", line: 3, fragment: "manual and delayed"),
        Failure(name: "non-dind service", yaml: "job:\n  script: x\n  services:\n    - postgres:16\n", keyword: "services", line: 4,
                fragment: "postgres:16 is not supported"),
        Failure(name: "allow_failure exit codes", yaml: "job:\n  script: x\n  allow_failure:\n    exit_codes: [3]\n",
                keyword: "allow_failure:exit_codes", line: 4, fragment: "exit_codes"),
        Failure(name: "only:variables", yaml: "job:\n  script: x\n  only:\n    refs: [main]\n    variables: [$X]\n",
                keyword: "only:variables", line: 5, fragment: "only:variables is not supported"),
        Failure(name: "bad timeout", yaml: "job:\n  script: x\n  timeout: soon\n", keyword: "timeout", line: 3, fragment: "duration"),
        Failure(name: "invalid YAML", yaml: "job:\n  script: [x\n", keyword: nil, line: nil, fragment: "invalid YAML"),
        Failure(name: "not a mapping", yaml: "- a\n- b\n", keyword: nil, line: 1, fragment: "must be a mapping"),
        Failure(name: "scalar top-level key", yaml: "job:\n  script: x\nfoo: bar\n", keyword: "foo", line: 3,
                fragment: "neither a keyword slipway supports nor a job"),
        Failure(name: "image entrypoint", yaml: "job:\n  script: x\n  image:\n    name: a\n    entrypoint: ['']\n",
                keyword: "image:entrypoint", line: 5, fragment: "image:entrypoint"),
        Failure(name: "default keyword", yaml: "default:\n  retry: 2\njob:\n  script: x\n", keyword: "default:retry", line: 2,
                fragment: "default:retry"),
        Failure(name: "empty file", yaml: "", keyword: nil, line: nil, fragment: "empty"),
        Failure(name: "only templates", yaml: ".t:\n  script: x\n", keyword: nil, line: nil, fragment: "defines no jobs"),
        Failure(name: "bad variable name", yaml: "variables:\n  A-B: x\njob:\n  script: x\n", keyword: "variables", line: 2,
                fragment: "variable name"),
        Failure(name: "only regex invalid", yaml: "job:\n  script: x\n  only: ['/a(/']\n", keyword: "only", line: 3, fragment: "invalid regex"),
    ]

    @Test(arguments: Self.failures)
    func refuses(_ failure: Failure) {
        do {
            let configuration = try CIConfiguration.parse(failure.yaml)
            Issue.record("\(failure.name): parsed \(configuration)")
        } catch let error as GitLabError {
            #expect(error.code == .configError)
            #expect(error.keyword == failure.keyword, "\(failure.name): \(error)")
            if let line = failure.line { #expect(error.line == line, "\(failure.name): \(error)") }
            #expect(error.message.contains(failure.fragment), "\(failure.name): \(error.message)")
            if let line = failure.line { #expect(error.description.hasPrefix("line \(line): ")) }
        } catch {
            Issue.record("\(failure.name): unexpected \(error)")
        }
    }

    // MARK: - rules and only/except choose jobs

    static let selection = """
        stages: [test, deploy]

        on-main:
          script: x
          rules:
            - if: $CI_COMMIT_BRANCH == "main"

        mr-only:
          script: x
          rules:
            - if: $CI_PIPELINE_SOURCE == "merge_request_event"

        not-api:
          script: x
          rules:
            - if: $CI_PIPELINE_SOURCE == "api"
              when: never
            - when: on_success

        release:
          stage: deploy
          script: x
          rules:
            - if: $CI_COMMIT_TAG =~ /^v\\d+\\.\\d+/
              allow_failure: true
              variables:
                CHANNEL: stable

        legacy-branches:
          script: x
          only: [branches]
          except: ['/^wip-/']

        legacy-default:
          script: x

        legacy-mr:
          script: x
          only:
            refs: [merge_requests]

        named:
          script: x
          only: [main, /^release\\/.*$/]

        never-job:
          script: x
          when: never

        always-job:
          stage: deploy
          script: x
          when: always
        """

    @Test(arguments: [
        (PipelineTrigger.Source.push, PipelineRef.branch("main"),
         ["on-main", "not-api", "legacy-branches", "legacy-default", "named", "always-job"]),
        (.push, .branch("feature"), ["not-api", "legacy-branches", "legacy-default", "always-job"]),
        (.push, .branch("wip-x"), ["not-api", "legacy-default", "always-job"]),
        (.push, .branch("release/2.0"), ["not-api", "legacy-branches", "legacy-default", "named", "always-job"]),
        (.push, .tag("v1.2.0"), ["not-api", "legacy-default", "release", "always-job"]),
        (.push, .tag("nightly"), ["not-api", "legacy-default", "always-job"]),
        // Jobs without rules default to only: [branches, tags], so merge request pipelines skip them.
        (.mergeRequestEvent, .branch("feature"), ["mr-only", "not-api", "legacy-mr"]),
        (.api, .branch("main"), ["on-main", "legacy-branches", "legacy-default", "named", "always-job"]),
    ])
    func rulesChooseJobs(_ source: PipelineTrigger.Source, _ ref: PipelineRef, _ expected: [String]) throws {
        let plan = try CIConfiguration.parse(Self.selection).plan(for: Self.trigger(source, ref), pipelineID: 5)
        #expect(Set(plan.jobs.map(\.name)) == Set(expected), "\(source) \(ref)")
        #expect(plan.stages.map(\.name) == ["test", "deploy"].filter { stage in plan.jobs.contains { $0.stage == stage } })
        if let release = plan.jobs.first(where: { $0.name == "release" }) {
            #expect(release.allowFailure)
            #expect(release.variables.contains(CIVariable(name: "CHANNEL", value: "stable")))
        }
        if let always = plan.jobs.first(where: { $0.name == "always-job" }) { #expect(always.when == .always) }
    }

    @Test func rulesSeeProjectAndFileVariables() throws {
        let yaml = """
            variables:
              DEPLOY: "yes"
            deploy:
              script: x
              rules:
                - if: $DEPLOY == "yes" && $TOKEN
            """
        let configuration = try CIConfiguration.parse(yaml)
        #expect(configuration.plan(for: Self.trigger(), pipelineID: 1).jobs.isEmpty)
        let plan = configuration.plan(for: Self.trigger(), pipelineID: 1, projectVariables: [ProjectVariable(name: "TOKEN", value: "t")])
        #expect(plan.jobs.map(\.name) == ["deploy"])
    }

    @Test(arguments: [
        ("10", 10), ("90 minutes", 5400), ("1h 30m", 5400), ("1h30m", 5400), ("2 hours", 7200), ("3h", 10800),
        ("1 hour and 5 minutes", 3900), ("1d", 86400), ("45s", 45),
    ])
    func timeouts(_ text: String, _ seconds: Int64) throws {
        let job = try #require(try CIConfiguration.parse("job:\n  script: x\n  timeout: \(text)\n").jobs.first)
        #expect(job.timeout == .seconds(seconds))
    }

    @Test func legacyGlobalsAndPrePostStages() throws {
        let yaml = """
            image: ruby:3.3
            before_script: [bundle install]
            stages: [build]
            first:
              stage: .pre
              script: x
            last:
              stage: .post
              script: x
            middle:
              stage: build
              script: x
            """
        let plan = try CIConfiguration.parse(yaml).plan(for: Self.trigger(), pipelineID: 1)
        #expect(plan.stages.map(\.name) == [".pre", "build", ".post"])
        #expect(plan.jobs.allSatisfy { $0.image == "ruby:3.3" && $0.beforeScript == ["bundle install"] })
    }

    @Test func imageVariablesAreExpanded() throws {
        let yaml = """
            variables:
              BASE: registry.example.com/$CI_PROJECT_PATH
            job:
              image: $BASE/builder:$CI_COMMIT_REF_SLUG
              script: x
            """
        let plan = try CIConfiguration.parse(yaml).plan(for: Self.trigger(.push, .branch("Feature/X")), pipelineID: 1)
        #expect(plan.jobs.first?.image == "registry.example.com/group/app/builder:feature-x")
    }
}

/// Runs a shell program for the after_script test.
enum Shell {
    struct Result {
        var status: Int32
        var output: String
    }

    static func run(_ program: String) async throws -> Result {
        let output = try await GitTestSupport.run("/bin/sh", ["-e", "-c", program])
        return Result(status: output.status, output: output.stdout + output.stderr)
    }
}
