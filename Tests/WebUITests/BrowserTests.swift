// slipway — web page tests
// SPDX-License-Identifier: Apache-2.0

import API
import Application
import Foundation
import HTTP
import Jobs
import Logging
import Store
import Testing
import TestSupport

/// The pages in Debian's headless Chromium (driven through chromedriver by
/// `Tests/python/webui_browser_test.py`), against two live servers — one open, one with tokens —
/// running real jobs on the private Docker daemon (`eval "$(scripts/docker-test-env.sh start)"`).
/// Screenshots land in `.test-artifacts/webui/`.
@Suite("web pages in headless Chromium", .serialized, .disabled(if: DockerTestEnvironment.isSkipped, DockerTestEnvironment.skipComment))
struct BrowserTests {
    static var busybox: String { DockerTestEnvironment.busyboxImage }

    /// The Python with html5lib: scripts/test.sh's virtualenv.
    static var python: String {
        if let configured = ProcessRunner.environment["SLIPWAY_PYTHON"] { return configured }
        let venv = "\(ProcessRunner.repositoryRoot)/.venv-test/bin/python"
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : "python3"
    }

    @Test func pagesInChromium() async throws {
        for program in ["/usr/bin/chromium", "/usr/bin/chromedriver"] {
            try #require(FileManager.default.isExecutableFile(atPath: program), "\(program) is missing: scripts/test.sh installs chromium and chromium-driver")
        }
        let docker = try DockerTestEnvironment.host()
        let open = try await UIServer.start(docker: docker)
        let guarded: UIServer
        do {
            guarded = try await UIServer.start(docker: docker, tokens: true)
        } catch {
            await open.stop()
            throw error
        }
        do {
            try await self.run(open: open, guarded: guarded)
        } catch {
            await open.stop()
            await guarded.stop()
            throw error
        }
        await open.stop()
        await guarded.stop()
    }

    private func run(open: UIServer, guarded: UIServer) async throws {
        // A pipeline whose second job waits for a `go` file in its workspace: the browser sees
        // it running, then makes it pass.
        let pipeline = try await open.store.insertPipeline(project: "demo/app", ref: "main", sha: "0123456789abcdef0123456789abcdef01234567",
                                                           source: "api", at: Date())
        _ = try await open.submit("build", ["echo built"], pipeline: pipeline.id, stage: "build")
        let gated = try await open.submit("test", ["while [ ! -e go ]; do sleep 0.1; done", "echo tested"], pipeline: pipeline.id, stage: "test")
        let growing = try await open.submit("grow", [
            "echo waiting for the go file", "while [ ! -e go ]; do sleep 0.1; done",
            "for i in $(seq 1 30); do echo tick $i; sleep 0.05; done",
        ])
        let sections = try await open.submit("sections", [
            #"printf '\033[0Ksection_start:%s:mine\r\033[0KMy own section\n' "$(date +%s)""#,
            "echo inside one", "sleep 1", "echo inside two",
            #"printf '\033[0Ksection_end:%s:mine\r\033[0K\n' "$(date +%s)""#,
            "echo after the section",
        ])
        // 52,000 lines of 78 bytes: just under the 4 MiB output limit.
        let big = try await open.submit("big", [
            #"i=0; while [ $i -lt 52000 ]; do if [ $i -eq 26000 ]; then echo NEEDLE-"7f3a"; fi; echo "line $i of the big log: lorem ipsum dolor sit amet, consectetur elit"; i=$((i+1)); done"#,
            "echo last line of the big log",
        ])
        let hostile = try await open.submit("<script>alert('name')</script>", [
            "printf '<script>alert(1)</script>\\n'",
            #"printf '\033[31;1;4;38;5;200;48;2;1;2;3mX\033[999;;;m\033]0;title\007\033[2J\033[H\033[?25l<img src=x onerror=alert(2)>\033[0m\n'"#,
            #"printf '\001\002\010\013\014\177 \302\200 \357\277\276 \377\376 &amp; &lt;\n'"#,
        ])
        let guardedJob = try await guarded.submit("hello", ["echo hello from the guarded server"])
        for (server, job) in [(open, sections), (open, big), (open, hostile), (guarded, guardedJob)] {
            try await server.waitUntilFinished(job)
        }
        let artifacts = "\(ProcessRunner.repositoryRoot)/.test-artifacts/webui"
        try? FileManager.default.removeItem(atPath: artifacts)
        try FileManager.default.createDirectory(atPath: artifacts, withIntermediateDirectories: true)
        let scenario: [String: Any] = [
            "artifacts": artifacts,
            "open": [
                "base": open.baseURL, "pipeline": pipeline.id, "pipeline_job": gated.id.rawValue,
                "pipeline_gate": open.workspace(of: gated.id), "growing_job": growing.id.rawValue,
                "growing_gate": open.workspace(of: growing.id), "sections_job": sections.id.rawValue, "big_job": big.id.rawValue,
                "hostile_job": hostile.id.rawValue,
            ],
            "tokens": [
                "base": guarded.baseURL, "job": guardedJob.id.rawValue, "read_token": UIServer.readToken, "submit_token": UIServer.submitToken,
            ],
        ]
        let scenarioPath = "\(open.directory)/scenario.json"
        try JSONSerialization.data(withJSONObject: scenario).write(to: URL(fileURLWithPath: scenarioPath))
        let script = "\(ProcessRunner.repositoryRoot)/Tests/python/webui_browser_test.py"
        // The script ends Chromium itself (by process id) on every path, and has a deadline of
        // its own; past ours, the runner kills its process group (chromedriver and Chromium too).
        let result = try await ProcessRunner.run(Self.python, [script, scenarioPath], timeout: .seconds(900))
        #expect(!result.timedOut, "the browser test ran past 15 minutes")
        let report = (try? JSONSerialization.jsonObject(with: Data(result.stdoutBytes))) as? [String: Any]
        let checks = report?["checks"] as? [[String: Any]] ?? []
        #expect(!checks.isEmpty, "no report from the browser test: \(result.stdout.suffix(2000))\n\(result.stderr.suffix(4000))")
        for check in checks {
            #expect(check["passed"] as? Bool == true, "\(check["name"] ?? "") (at \(check["at_s"] ?? "?") s): \(check["detail"] ?? "")")
        }
        print("web pages in Chromium: \(checks.count) checks, the last at \(checks.last?["at_s"] ?? "?") s")
        #expect(result.status == 0, "\(result.stderr.suffix(2000))")
        if let measurements = report?["measurements"] as? [String: Any] {
            print("web pages in Chromium: \(measurements.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))")
        }
        // The gated jobs ran to their end once the browser test made their `go` files.
        for job in [gated, growing] { try await open.waitUntilFinished(job) }
    }
}

/// A slipway server in this process, on the private Docker daemon, with its store in a
/// temporary directory.
struct UIServer {
    let application: SlipwayApplication
    let directory: String
    let port: UInt16

    static let readToken = "ui-read-token-0123456789abcdef"
    static let submitToken = "ui-submit-token-0123456789abcdef"

    static func start(docker: String, tokens: Bool = false) async throws -> UIServer {
        let directory = "/tmp/slipway-ui-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var configuration = SlipwayConfiguration()
        configuration.listen = [.ipv4(host: "127.0.0.1", port: 0)]
        configuration.dataDirectory = "\(directory)/data"
        configuration.dockerHost = docker
        configuration.http.eventLoops = 2
        configuration.workers.host.network = "none"
        configuration.workers.host.concurrency = 4
        configuration.workers.host.allowAPISubmissions = true
        configuration.workers.stopGracePeriod = .seconds(1)
        if tokens {
            configuration.api.tokens = [
                APIToken(name: "reader", secret: Self.readToken, scope: .read),
                APIToken(name: "ci", secret: Self.submitToken, scope: .submit),
            ]
        }
        var logger = Logger(label: "slipway-ui-test") { _ in SwiftLogNoOpLogHandler() }
        logger.logLevel = .warning
        let application = try await SlipwayApplication(configuration: configuration, logger: logger)
        let addresses = try await application.start()
        return UIServer(application: application, directory: directory, port: addresses[0].port ?? 0)
    }

    var baseURL: String { "http://127.0.0.1:\(self.port)" }
    var store: SQLiteJobStore { self.application.store }

    func workspace(of id: JobID) -> String { "\(self.directory)/data/workspaces/\(id)" }

    /// Records and queues a job as the API and the pipeline runner do.
    func submit(_ name: String, _ script: [String], pipeline: Int64? = nil, stage: String? = nil) async throws -> Job {
        let specification = JobSpecification(name: name, image: BrowserTests.busybox, script: script, worker: .host, timeout: .seconds(300),
                                             project: pipeline == nil ? nil : "demo/app", pipelineID: pipeline, stage: stage,
                                             ref: pipeline == nil ? nil : "main")
        let job = try await self.store.insert(specification, status: .pending, at: Date())
        self.application.events.jobChanged(job)
        await self.application.scheduler.submit(job)
        return job
    }

    func waitUntilFinished(_ job: Job, timeout: Duration = .seconds(120)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let current = try await self.store.job(job.id), current.status.isFinished { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("job \(job.id) (\(job.name)) did not finish in \(timeout)")
        throw CancellationError()
    }

    /// Cancels what still runs (a gated job whose `go` file never came), then shuts down.
    func stop() async {
        for job in (try? await self.store.jobs(withStatus: [.created, .pending, .running])) ?? [] {
            _ = try? await self.application.scheduler.cancel(job.id)
        }
        await self.application.scheduler.waitUntilIdle()
        await self.application.shutdown()
        try? FileManager.default.removeItem(atPath: self.directory)
    }
}
