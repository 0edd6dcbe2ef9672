// slipway — end-to-end tests
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import Foundation
import HTTP
import Sockets
import Testing
import TestSupport

/// `slipway serve` as a child process: the real binary, configuration file, data directory
/// and Docker engine, driven over HTTP like a user would. It can be killed with SIGKILL and
/// started again on the same data directory.
final class SlipwayProcess: @unchecked Sendable {
    // @unchecked: `process` and `client` are replaced only by `start`, which tests call
    // from one task.
    let directory: String
    let dataDirectory: String
    let configurationPath: String
    let logPath: String
    private(set) var process: Process?
    private(set) var port: UInt16 = 0
    private(set) var client: HTTPClient?
    private var exited: Task<Int32, Never>?

    /// Writes `configuration` (YAML without `listen` and `data_dir`, which this adds) into a
    /// fresh temporary directory.
    init(configuration: String) throws {
        let template = FileManager.default.temporaryDirectory.appendingPathComponent("slipway-e2e-XXXXXX").path
        var buffer = Array(template.utf8CString)
        guard let made = mkdtemp(&buffer) else { throw ProcessRunnerError(message: "mkdtemp failed: errno \(errno)") }
        self.directory = String(cString: made)
        self.dataDirectory = "\(self.directory)/data"
        self.configurationPath = "\(self.directory)/slipway.yml"
        self.logPath = "\(self.directory)/slipway.log"
        let text = """
            listen: ["127.0.0.1:0"]
            data_dir: \(self.dataDirectory)
            log_level: debug
            \(configuration)
            """
        try text.write(toFile: self.configurationPath, atomically: true, encoding: .utf8)
    }

    /// The `slipway` executable built next to the test bundle (`swift build --build-tests`
    /// builds both).
    static var executable: String {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("slipway").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        return "\(ProcessRunner.repositoryRoot)/.build/debug/slipway"
    }

    /// Starts `slipway serve` and waits until it listens; `environment` is added to ours.
    func start(environment: [String: String] = [:], arguments: [String] = []) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = ["serve", "--config", self.configurationPath] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        if !FileManager.default.fileExists(atPath: self.logPath) {
            _ = FileManager.default.createFile(atPath: self.logPath, contents: nil)
        }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: self.logPath))
        log.seekToEndOfFile()
        let before = log.offsetInFile
        process.standardOutput = log
        process.standardError = log
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        process.terminationHandler = { continuation.yield($0.terminationStatus); continuation.finish() }
        try process.run()
        try? log.close()
        self.process = process
        self.exited = Task { await stream.first { _ in true } ?? -1 }

        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if let port = self.listeningPort(after: before) {
                self.port = port
                self.client = HTTPClient(address: .ipv4(host: "127.0.0.1", port: port), group: sharedTestGroup)
                return
            }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ProcessRunnerError(message: "slipway serve did not start listening; its log:\n\(self.log)")
    }

    /// The port from the first `msg=listening` line written after byte `offset` of the log.
    private func listeningPort(after offset: UInt64) -> UInt16? {
        guard let data = FileManager.default.contents(atPath: self.logPath), data.count > Int(offset) else { return nil }
        let text = String(decoding: data[Int(offset)...], as: UTF8.self)
        for line in text.split(separator: "\n") where line.contains("msg=listening") {
            guard let range = line.range(of: "address=127.0.0.1:") else { continue }
            let digits = line[range.upperBound...].prefix { $0.isNumber }
            return UInt16(digits)
        }
        return nil
    }

    /// Everything the server logged so far.
    var log: String {
        (FileManager.default.contents(atPath: self.logPath)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// Sends `signal` and waits for the process to exit; returns its status.
    @discardableResult
    func stop(signal: Int32 = SIGTERM) async -> Int32 {
        guard let process, let exited else { return -1 }
        kill(process.processIdentifier, signal)
        let status = await exited.value
        self.process = nil
        self.client = nil
        return status
    }

    /// Stops the server if it still runs and removes the directory (the data directory's
    /// workspaces may hold root-owned files made by containers: those go through the engine).
    func tearDown() async {
        if self.process != nil { await self.stop() }
        try? FileManager.default.removeItem(atPath: self.directory)
    }
}
