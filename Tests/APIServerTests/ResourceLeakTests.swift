// slipway — API server tests
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import Application
import Docker
import Foundation
import HTTP
import Logging
import Jobs
import API
import Store
import Testing
import TestSupport

/// Starting and stopping slipway's long-lived parts must give back every descriptor and thread.
///
/// The counts are process-wide, so the cycles run in a child process of their own (this test
/// binary, filtered to ``leakCheckChild()``), where no other test opens anything meanwhile.
@Suite("descriptors and threads after 100 start/stop cycles")
struct ResourceLeakTests {
    static let childVariable = "SLIPWAY_LEAK_CHECK_CHILD"
    static var isChild: Bool { ProcessRunner.environment[Self.childVariable] == "1" }

    @Test(.disabled(if: ResourceLeakTests.isChild, "this is the child"), .timeLimit(.minutes(10)))
    func everyCycleGivesBackItsDescriptorsAndThreads() async throws {
        let result = try await ProcessRunner.run(
            "/proc/self/exe", ["--testing-library", "swift-testing", "--filter", "leakCheckChild"],
            environment: [Self.childVariable: "1"], timeout: .seconds(540))
        #expect(result.status == 0, "\(result.stdout.suffix(4000))\n\(result.stderr.suffix(4000))")
        let report = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("LEAK-CHECK ") }, "\(result.stdout.suffix(4000))")
        // LEAK-CHECK cycles=N fds=B->A threads=B->A
        let fields = Dictionary(uniqueKeysWithValues: report.split(separator: " ").dropFirst().compactMap { field -> (String, String)? in
            let parts = field.split(separator: "=", maxSplits: 1)
            return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
        })
        #expect(fields["cycles"] == "100")
        #expect(!result.stdout.contains("RETAINED"), "\(result.stdout.split(separator: "\n").filter { $0.hasPrefix("RETAINED") }.prefix(3))")
        let fds = (fields["fds"] ?? "").split(separator: ">").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "-")) }
        let threads = (fields["threads"] ?? "").split(separator: ">").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "-")) }
        #expect(fds.count == 2 && fds[0] == fds[1], "descriptors before and after: \(report)")
        // The runtime may retire an idle worker thread of its own meanwhile, never add one for good.
        #expect(threads.count == 2 && Int(threads[1])! <= Int(threads[0])!, "threads before and after: \(report)")
    }

    @Test(.enabled(if: ResourceLeakTests.isChild, "runs only as the leak check's child process"))
    func leakCheckChild() async throws {
        let dockerHost = DockerTestEnvironment.isSkipped ? nil : try DockerTestEnvironment.host()
        // Lazily started process-wide threads (the shared test loops, the cooperative pool)
        // belong to the baseline.
        for _ in 0..<3 { try await Self.cycle(dockerHost: dockerHost) }
        let before = (fds: Self.descriptorCount(), threads: Self.threadCount())
        for _ in 0..<100 { try await Self.cycle(dockerHost: dockerHost) }
        // A thread that was told to end may take a moment to be gone; descriptors are closed
        // before shutdown returns.
        _ = try await eventually(timeout: .seconds(10)) { Self.threadCount() <= before.threads }
        let after = (fds: Self.descriptorCount(), threads: Self.threadCount())
        print("LEAK-CHECK cycles=100 fds=\(before.fds)->\(after.fds) threads=\(before.threads)->\(after.threads)")
        if after.fds != before.fds { print("descriptors now: \(Self.descriptorTargets())") }
        if after.threads != before.threads { print("threads now: \(Self.threadNames())") }
    }

    /// One start and stop of the server (with its store, loops and engine client), a store on
    /// its own, a Docker client and an HTTP client.
    static func cycle(dockerHost: String?) async throws {
        let directory = "\(NSTemporaryDirectory())slipway-leak-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        var configuration = SlipwayConfiguration()
        configuration.listen = [.ipv4(host: "127.0.0.1", port: 0)]
        configuration.dataDirectory = "\(directory)/data"
        configuration.dockerHost = dockerHost ?? "unix://\(directory)/no-docker.sock"
        configuration.http.eventLoops = 2
        var logger = Logger(label: "slipway.leak-check")
        logger.logLevel = .critical
        weak var released: SlipwayApplication?
        weak var logs: FileLogStore?
        weak var scheduler: Scheduler?
        weak var events: EventHub?
        weak var runner: PipelineRunner?
        do {
            let application = try await SlipwayApplication(configuration: configuration, logger: logger)
            released = application
            logs = application.logs
            scheduler = application.scheduler
            events = application.events
            runner = application.pipelines
            let addresses = try await application.start()
            let client = HTTPClient(address: addresses[0], group: sharedTestGroup)
            let (head, _) = try await client.collect(HTTPClientRequest(target: "/v1/jobs"))
            #expect(head.status.code == 200)
            await application.shutdown()
        }
        // Nothing keeps the stopped server's parts alive (a retain cycle would keep their
        // threads and descriptors too).
        let freed = try await eventually(timeout: .seconds(10)) {
            released == nil && logs == nil && scheduler == nil && events == nil && runner == nil
        }
        if !freed {
            print("RETAINED app=\(released != nil) logs=\(logs != nil) scheduler=\(scheduler != nil) events=\(events != nil) runner=\(runner != nil)")
        }

        let store = try await SQLiteJobStore.open(path: "\(directory)/store.db")
        _ = try await store.jobCounts()
        await store.close()

        if let dockerHost {
            let docker = try await DockerClient(host: DockerHost(parsing: dockerHost), group: sharedTestGroup)
            _ = try await docker.ping(timeout: .seconds(30))
        }
    }

    static func descriptorCount() -> Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).count
    }

    static func descriptorTargets() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).sorted().map { fd in
            "\(fd)=\((try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)")) ?? "?")"
        }
    }

    static func threadNames() -> [String: Int] {
        var names: [String: Int] = [:]
        for task in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? [] {
            let name = ((try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8)) ?? "?").trimmingCharacters(in: .whitespacesAndNewlines)
            names[name, default: 0] += 1
        }
        return names
    }

    static func threadCount() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        for line in status.split(separator: "\n") where line.hasPrefix("Threads:") {
            return Int(line.dropFirst("Threads:".count).trimmingCharacters(in: .whitespaces)) ?? -1
        }
        return -1
    }
}
