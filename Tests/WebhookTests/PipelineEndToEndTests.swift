// slipway — webhook tests
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
import TestSupport

/// Pushes to a real git repository, delivered as GitLab webhooks, run on the host worker of
/// the private Docker daemon (`eval "$(scripts/docker-test-env.sh start)"`).
@Suite("pipelines from webhooks, end to end", .serialized,
       .disabled(if: DockerTestEnvironment.isSkipped, DockerTestEnvironment.skipComment))
struct PipelineEndToEndTests {
    static var busybox: String { DockerTestEnvironment.busyboxImage }
    static var dind: String { DockerTestEnvironment.dindImage }
    static var dindPrivileged: Bool { DockerTestEnvironment.dindPrivileged }
    static var scratch: String { DockerTestEnvironment.scratch }

    static func dockerHost() throws -> String {
        try DockerTestEnvironment.host()
    }

    /// A server whose project `mike/diaspora` (GitLab's push fixture) clones `repository`; jobs
    /// with a `docker:dind` service go to its dind pool (no bridge inside the daemons).
    func withPipelines(_ body: (WebhookServer, GitRepository) async throws -> Void) async throws {
        let repository = try await GitRepository()
        let sockets = "\(Self.scratch)/w\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
        defer { try? FileManager.default.removeItem(atPath: sockets) }
        let yaml = """
            gitlab:
              default_image: \(Self.busybox)
            workers:
              host:
                concurrency: 3
              dind:
                image: \(Self.dind)
                concurrency: 1
                privileged: \(Self.dindPrivileged)
                network: none
                socket_dir: \(sockets)
                startup_deadline: 30s
                daemon_args: ["--bridge=none", "--iptables=false", "--ip-forward=false", "--ip-masq=false", "--storage-driver=overlay2"]
            projects:
              - path: mike/diaspora
                id: 15
                webhook_token: \(WebhookServer.hookToken)
                clone_url: \(repository.url)
                clone_token: \(WebhookServer.cloneToken)
                default_branch: master
                host_worker: true
                variables:
                  - {name: DEPLOY_TOKEN, value: \(WebhookServer.maskedValue), masked: true}
                  - {name: REGISTRY, value: registry.internal}
            """
        let server = try await WebhookServer.start(yaml: yaml, docker: try Self.dockerHost())
        do {
            try await body(server, repository)
        } catch {
            await server.stop()
            repository.remove()
            throw error
        }
        await server.application.scheduler.waitUntilIdle()
        await server.stop()
        repository.remove()
    }

    /// Pushes `files` and delivers the push; returns the pipeline id.
    func push(_ files: [String: String], message: String, to server: WebhookServer, repository: GitRepository,
              branch: String = "master") async throws -> Int {
        let before = try? await repository.git("rev-parse", "--verify", "--quiet", "refs/heads/\(branch)")
        let sha = try await repository.commit(files, message: message, branch: branch)
        let response = try await server.deliver(try repository.pushPayload(sha: sha, before: before, branch: branch, message: message),
                                                event: "Push Hook")
        #expect(response.status == 202, "\(response.text)")
        return try #require(response.json["pipeline_id"] as? Int, "\(response.text)")
    }

    static func jobs(_ pipeline: [String: Any]) -> [String: [String: Any]] {
        Dictionary(uniqueKeysWithValues: (pipeline["jobs"] as? [[String: Any]] ?? []).map { ($0["name"] as? String ?? "", $0) })
    }

    @Test func aTwoStagePushBuildsAnImageFromTheCheckoutAndSucceeds() async throws {
        let tag = "slipway-webhook-e2e-\(UInt32.random(in: 0...UInt32.max))"
        try await self.withPipelines { server, repository in
            let ci = """
                stages: [build, test]
                variables:
                  GREETING: hello
                .docker: &docker
                  image: \(Self.dind)
                build-image:
                  <<: *docker
                  stage: build
                  script:
                    - docker build -q -t \(tag) .
                    - docker run --rm --network none \(tag) cat /baked.txt
                    - echo "token is $DEPLOY_TOKEN"
                .base:
                  image: \(Self.busybox)
                  stage: test
                show-variables:
                  extends: .base
                  script:
                    - echo "$GREETING sha=$CI_COMMIT_SHA short=$CI_COMMIT_SHORT_SHA before=$CI_COMMIT_BEFORE_SHA"
                    - echo "ref=$CI_COMMIT_REF_NAME slug=$CI_COMMIT_REF_SLUG branch=$CI_COMMIT_BRANCH source=$CI_PIPELINE_SOURCE"
                    - echo "project=$CI_PROJECT_PATH name=$CI_PROJECT_NAME ns=$CI_PROJECT_NAMESPACE id=$CI_PROJECT_ID default=$CI_DEFAULT_BRANCH"
                    - echo "pipeline=$CI_PIPELINE_ID job=$CI_JOB_ID stage=$CI_JOB_STAGE name=$CI_JOB_NAME user=$GITLAB_USER_LOGIN ci=$CI/$GITLAB_CI"
                    - echo "title=$CI_COMMIT_TITLE dir=$CI_PROJECT_DIR pwd=$PWD registry=$REGISTRY"
                    - cat message.txt
                    - git log -1 --format=%H 2>/dev/null || echo "no git in the image"
                """
            let id = try await self.push([
                ".gitlab-ci.yml": ci,
                "Dockerfile": "FROM \(Self.busybox)\nCOPY message.txt /baked.txt\n",
                "message.txt": "baked from the checkout\n",
            ], message: "Add the image\n\nWith a body.", to: server, repository: repository)
            let sha = try await repository.git("rev-parse", "HEAD")
            let pipeline = try await server.waitForPipeline(id, timeout: .seconds(180))
            let jobs = Self.jobs(pipeline)
            let buildLog = try await server.log(ofJob: jobs["build-image"]?["id"] as? Int ?? 0)
            let showLog = try await server.log(ofJob: jobs["show-variables"]?["id"] as? Int ?? 0)
            #expect(pipeline["status"] as? String == "success", "build:\n\(buildLog)\nshow:\n\(showLog)")
            #expect(pipeline["sha"] as? String == sha)
            #expect(jobs["build-image"]?["stage"] as? String == "build")
            #expect(jobs["show-variables"]?["stage"] as? String == "test")
            #expect(buildLog.contains("baked from the checkout\n"))
            #expect(buildLog.contains("token is [MASKED]\n"))
            #expect(!buildLog.contains(WebhookServer.maskedValue))
            let showID = jobs["show-variables"]?["id"] as? Int ?? 0
            // Field by field against the payload (GitLab's push fixture, rewritten for this push).
            #expect(showLog.contains("hello sha=\(sha) short=\(sha.prefix(8)) before=\(String(repeating: "0", count: 40))\n"))
            #expect(showLog.contains("ref=master slug=master branch=master source=push\n"))
            #expect(showLog.contains("project=mike/diaspora name=diaspora ns=mike id=15 default=master\n"))
            #expect(showLog.contains("pipeline=\(id) job=\(showID) stage=test name=show-variables user=jsmith ci=true/true\n"))
            let workspace = "\(server.dataDirectory)/workspaces/\(showID)"
            #expect(showLog.contains("title=Add the image dir=\(workspace) pwd=\(workspace) registry=registry.internal\n"))
            #expect(showLog.contains("baked from the checkout\n"))
            // The stages ran in order.
            let buildFinished = jobs["build-image"]?["finished_at"] as? String ?? "~"
            let showStarted = jobs["show-variables"]?["started_at"] as? String ?? ""
            #expect(buildFinished <= showStarted)
            // Pipeline events followed the jobs.
            let events = try await server.application.events.recorded(after: 0, limit: 1000)
            let statuses = events.filter { $0.subject == .pipeline && $0.pipelineID == Int64(id) }.map(\.status)
            #expect(statuses.last == "success", "\(statuses)")
            #expect(statuses.contains("running"))
            try Leaks.expectNone(of: WebhookServer.cloneToken, in: server)
            // Leave the daemon as it was.
            _ = try await server.request(.get, "/healthz")
            _ = try? await ProcessRunner.run(DockerTestEnvironment.cli, ["rmi", "-f", tag])
        }
    }

    @Test func aDindServiceJobBuildsTheCheckoutOnItsOwnDaemonAndTheNextStageRunsOnTheHost() async throws {
        try await self.withPipelines { server, repository in
            // Nothing can be pulled inside the job's daemon: the image is built FROM scratch with
            // the static busybox of the job image, by the classic builder, without a network.
            let ci = """
                stages: [build, test]
                build-in-dind:
                  stage: build
                  image: \(Self.dind)
                  services: [docker:dind]
                  script:
                    - cp /bin/busybox .
                    - DOCKER_BUILDKIT=0 docker build --network none -q -t e2e-dind:1 .
                    - docker run --rm --network none e2e-dind:1 /bin/busybox cat /baked.txt
                check-on-host:
                  stage: test
                  script:
                    - cat message.txt
                """
            let id = try await self.push([
                ".gitlab-ci.yml": ci,
                "Dockerfile": "FROM scratch\nCOPY busybox /bin/busybox\nCOPY message.txt /baked.txt\n",
                "message.txt": "baked in the job's own daemon\n",
            ], message: "Build on dind", to: server, repository: repository)
            let pipeline = try await server.waitForPipeline(id, timeout: .seconds(180))
            let jobs = Self.jobs(pipeline)
            let buildLog = try await server.log(ofJob: jobs["build-in-dind"]?["id"] as? Int ?? 0)
            let checkLog = try await server.log(ofJob: jobs["check-on-host"]?["id"] as? Int ?? 0)
            #expect(pipeline["status"] as? String == "success", "build:\n\(buildLog)\ncheck:\n\(checkLog)")
            #expect(jobs["build-in-dind"]?["worker"] as? String == "dind")
            #expect(jobs["check-on-host"]?["worker"] as? String == "host")
            #expect(buildLog.contains("baked in the job's own daemon\n"), "\(buildLog)")
            #expect(checkLog.contains("baked in the job's own daemon\n"), "\(checkLog)")
            // The image was built on the job's daemon, which is gone: the host daemon never saw it.
            let inspect = try await ProcessRunner.run(DockerTestEnvironment.cli, ["image", "inspect", "e2e-dind:1"])
            #expect(inspect.status != 0 && inspect.stderr.contains("No such image"), "\(inspect.stderr)")
        }
    }

    @Test func aFailingFirstStageSkipsTheSecondButNotAlwaysJobs() async throws {
        try await self.withPipelines { server, repository in
            let id = try await self.push([".gitlab-ci.yml": """
                stages: [build, test, deploy]
                compile:
                  stage: build
                  script: [echo compiling, exit 3]
                lint:
                  stage: build
                  allow_failure: true
                  script: [exit 1]
                unit:
                  stage: test
                  script: [echo never runs]
                report:
                  stage: deploy
                  when: always
                  script: [echo report runs anyway]
                notify:
                  stage: deploy
                  when: on_failure
                  script: [echo notifying]
                """], message: "Break the build", to: server, repository: repository)
            let pipeline = try await server.waitForPipeline(id)
            let jobs = Self.jobs(pipeline)
            #expect(pipeline["status"] as? String == "failed")
            #expect(jobs["compile"]?["status"] as? String == "failed")
            #expect(jobs["compile"]?["exit_code"] as? Int == 3)
            #expect(jobs["lint"]?["status"] as? String == "failed")
            #expect(jobs["unit"]?["status"] as? String == "skipped")
            #expect(jobs["report"]?["status"] as? String == "success")
            #expect(jobs["notify"]?["status"] as? String == "success")
            #expect(try await server.log(ofJob: jobs["report"]?["id"] as? Int ?? 0).contains("report runs anyway\n"))

            // allow_failure alone does not fail the pipeline.
            let second = try await self.push([".gitlab-ci.yml": """
                flaky:
                  stage: build
                  allow_failure: true
                  script: [exit 1]
                after:
                  stage: test
                  script: [echo next stage runs]
                """], message: "Allow a failure", to: server, repository: repository)
            let allowed = try await server.waitForPipeline(second)
            #expect(allowed["status"] as? String == "success")
            #expect(Self.jobs(allowed)["after"]?["status"] as? String == "success")
        }
    }

    @Test func rulesChooseJobsByBranchAndSource() async throws {
        try await self.withPipelines { server, repository in
            let ci = """
                on-master:
                  script: [echo master]
                  rules:
                    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $CI_PIPELINE_SOURCE == "push"
                on-feature:
                  script: [echo feature]
                  rules:
                    - if: $CI_COMMIT_BRANCH =~ /^feature\\//
                      when: on_success
                    - when: never
                from-api:
                  script: [echo api]
                  rules:
                    - if: '$CI_PIPELINE_SOURCE == "api"'
                not-api:
                  script: [echo not api]
                  rules:
                    - if: $CI_PIPELINE_SOURCE != "api" && ($FORCE || $CI_COMMIT_BRANCH)
                """
            let master = try await self.push([".gitlab-ci.yml": ci], message: "rules", to: server, repository: repository)
            let feature = try await self.push(["f.txt": "x"], message: "feature work", to: server, repository: repository, branch: "feature/x")
            let api = try await server.request(.post, "/v1/pipelines", body: Array(#"{"project": "mike/diaspora", "ref": "master"}"#.utf8))
            #expect(api.status == 201, "\(api.text)")
            let apiID = try #require(api.json["id"] as? Int)
            let names = { (id: Int) async throws -> Set<String> in Set(Self.jobs(try await server.waitForPipeline(id)).keys) }
            #expect(try await names(master) == ["on-master", "not-api"])
            #expect(try await names(feature) == ["on-feature", "not-api"])
            let apiPipeline = try await server.waitForPipeline(apiID)
            #expect(Set(Self.jobs(apiPipeline).keys) == ["from-api"])
            #expect(apiPipeline["sha"] as? String == (try await repository.git("rev-parse", "master")))
            #expect(apiPipeline["status"] as? String == "success")
            let apiLog = try await server.log(ofJob: Self.jobs(apiPipeline)["from-api"]?["id"] as? Int ?? 0)
            #expect(apiLog.contains("api\n"))
        }
    }

    @Test func anUnsupportedKeywordFailsThePipelineWithItsNameAndLine() async throws {
        try await self.withPipelines { server, repository in
            let id = try await self.push([".gitlab-ci.yml": """
                build:
                  script: [make]
                  artifacts:
                    paths: [out/]
                """], message: "Use artifacts", to: server, repository: repository)
            let pipeline = try await server.waitForPipeline(id)
            #expect(pipeline["status"] as? String == "failed")
            #expect(pipeline["failure_reason"] as? String == "config_error")
            let message = pipeline["failure_message"] as? String ?? ""
            #expect(message.contains("artifacts") && message.contains("line 3"), "\(message)")
            #expect((pipeline["jobs"] as? [Any])?.isEmpty == true)

            let missing = try await self.push([".gitlab-ci.yml": "include: other.yml\n"], message: "include", to: server, repository: repository)
            let included = try await server.waitForPipeline(missing)
            #expect(included["failure_reason"] as? String == "config_error")
            #expect((included["failure_message"] as? String ?? "").contains("include"))
        }
    }

    @Test func aSecondPushAutoCancelsAnInterruptibleRunningPipeline() async throws {
        try await self.withPipelines { server, repository in
            let ci = """
                slow:
                  interruptible: true
                  script: [echo started, sleep 60]
                """
            let first = try await self.push([".gitlab-ci.yml": ci], message: "first", to: server, repository: repository)
            _ = try await server.waitForPipeline(first, timeout: .seconds(60)) { $0["status"] as? String == "running" }
            // A job that is not interruptible protects its pipeline.
            let guarded = try await self.push(["other.txt": "1", ".gitlab-ci.yml": "deploy:\n  script: [sleep 60]\n"], message: "guarded",
                                              to: server, repository: repository, branch: "release")
            _ = try await server.waitForPipeline(guarded, timeout: .seconds(60)) { $0["status"] as? String == "running" }

            let second = try await self.push(["more.txt": "2"], message: "second", to: server, repository: repository)
            let canceled = try await server.waitForPipeline(first, timeout: .seconds(60))
            #expect(canceled["status"] as? String == "canceled")
            #expect(canceled["auto_canceled_by_id"] as? Int == second)
            #expect(Self.jobs(canceled)["slow"]?["failure_reason"] as? String == "auto_canceled")

            let third = try await self.push(["more.txt": "3"], message: "third", to: server, repository: repository, branch: "release")
            _ = try await server.waitForPipeline(third, timeout: .seconds(60)) { $0["status"] as? String == "running" }
            let protected = try await server.pipeline(guarded)
            #expect(protected["status"] as? String == "running")
            #expect(protected["auto_canceled_by_id"] is NSNull)
            for id in [second, guarded, third] { _ = try await server.request(.post, "/v1/pipelines/\(id)/cancel") }
        }
    }
}
