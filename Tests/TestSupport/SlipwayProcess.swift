// slipway — test support
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import Foundation
import HTTP
import Processes
import Sockets
import Synchronization

/// `slipway serve` as a child process: the real binary, configuration file, data directory
/// and Docker engine, driven over HTTP like a user would. It can be killed with SIGKILL and
/// started again on the same data directory. It dies with the test process (see
/// ``ChildProcess``), so a crashed test run leaves no server behind.
///
/// Prefer ``withSlipwayProcess(configuration:listen:_:)``, which stops it on every path.
public final class SlipwayProcess: Sendable {
    public enum Listener: Sendable {
        /// An ephemeral loopback port, read from the server's "listening" log line.
        case tcp
        /// A Unix socket at this path.
        case unix(String)
    }

    public let directory: String
    public let dataDirectory: String
    public let configurationPath: String
    public let logPath: String
    public let listener: Listener
    private let running = Mutex<(child: ChildProcess?, port: UInt16, client: HTTPClient?)>((nil, 0, nil))

    /// Writes `configuration` (YAML without `listen` and `data_dir`, which this adds) into a
    /// fresh temporary directory, or into `directory` when given (a restart on the same data).
    public init(configuration: String, listen: Listener = .tcp, directory: String? = nil) throws {
        let directory = try directory ?? Self.makeTemporaryDirectory()
        self.directory = directory
        self.dataDirectory = "\(directory)/data"
        self.configurationPath = "\(directory)/slipway.yml"
        self.logPath = "\(directory)/slipway.log"
        self.listener = listen
        let listenValue = switch listen {
        case .tcp: "127.0.0.1:0"
        case .unix(let path): "unix:\(path)"
        }
        let text = """
            listen: ["\(listenValue)"]
            data_dir: \(self.dataDirectory)
            log_level: debug
            \(configuration)
            """
        try text.write(toFile: self.configurationPath, atomically: true, encoding: .utf8)
    }

    /// The `slipway` executable `swift build --build-tests` builds next to the test bundle.
    public static var executable: String {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("slipway").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        return "\(ProcessRunner.repositoryRoot)/.build/debug/slipway"
    }

    public var port: UInt16 { self.running.withLock { $0.port } }
    public var client: HTTPClient? { self.running.withLock { $0.client } }
    public var pid: pid_t? { self.running.withLock { $0.child?.pid } }
    public var isRunning: Bool { self.running.withLock { $0.child?.isRunning ?? false } }

    /// Starts `slipway serve` and waits until it listens; `environment` is added to the test
    /// process's.
    public func start(environment: [String: String] = [:], arguments: [String] = []) async throws {
        let before = (try? FileManager.default.attributesOfItem(atPath: self.logPath)[.size] as? Int) ?? 0
        let child = try await ProcessRunner.start(Self.executable, ["serve", "--config", self.configurationPath] + arguments,
                                                  environment: environment, logPath: self.logPath)
        self.running.withLock { $0.child = child }
        do {
            try await waitUntil("slipway serve listening", timeout: .seconds(60), interval: .milliseconds(20)) {
                if child.outcome != nil { throw ProcessRunnerError(message: "slipway serve exited: \(child.outcome!.termination)") }
                return self.listeningPort(after: before) != nil
            }
        } catch {
            throw ProcessRunnerError(message: "slipway serve did not start listening (\(error)); its log:\n\(self.log)")
        }
        let port = self.listeningPort(after: before) ?? 0
        let address: SocketAddress = switch self.listener {
        case .tcp: .ipv4(host: "127.0.0.1", port: port)
        case .unix(let path): .unix(path: path)
        }
        let client = makeTestClient(address)
        self.running.withLock {
            $0.port = port
            $0.client = client
        }
    }

    /// Sends `signal` to the server (not its children) and waits for it to exit; returns its
    /// status (128 + signal when a signal ended it).
    @discardableResult
    public func stop(signal: CInt = SIGTERM) async -> Int32 {
        guard let child = self.running.withLock({ $0.child }) else { return -1 }
        child.signal(signal, wholeGroup: false)
        let outcome = await child.wait()
        self.running.withLock { $0 = (nil, 0, nil) }
        return outcome.termination.status
    }

    /// SIGKILL, by process id: no clean-up of any kind.
    public func kill() async {
        await self.stop(signal: SIGKILL)
    }

    /// Stops the server if it still runs and removes its directory.
    public func tearDown() async {
        await self.stop()
        try? FileManager.default.removeItem(atPath: self.directory)
    }

    /// Everything the server logged so far.
    public var log: String {
        FileManager.default.contents(atPath: self.logPath).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// The port (0 for a Unix socket) from the first `msg=listening` line after byte `offset`.
    private func listeningPort(after offset: Int) -> UInt16? {
        guard let data = FileManager.default.contents(atPath: self.logPath), data.count > offset else { return nil }
        let text = String(decoding: data[offset...], as: UTF8.self)
        for line in text.split(separator: "\n") where line.contains("msg=listening") {
            if case .unix = self.listener { return 0 }
            guard let range = line.range(of: "address=127.0.0.1:") else { continue }
            return UInt16(line[range.upperBound...].prefix { $0.isNumber })
        }
        return nil
    }

    private static func makeTemporaryDirectory() throws -> String {
        var template = Array("\(NSTemporaryDirectory())slipway-e2e-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw ProcessRunnerError(message: "mkdtemp failed: errno \(errno)") }
        return String(cString: made)
    }
}

/// Runs `body` against a started `slipway serve` and stops it — and removes its directory —
/// on every path, awaiting the stop.
public func withSlipwayProcess<T>(
    configuration: String,
    listen: SlipwayProcess.Listener = .tcp,
    environment: [String: String] = [:],
    _ body: (SlipwayProcess) async throws -> T
) async throws -> T {
    let server = try SlipwayProcess(configuration: configuration, listen: listen)
    do {
        try await server.start(environment: environment)
        let result = try await body(server)
        await server.tearDown()
        return result
    } catch {
        await server.tearDown()
        throw error
    }
}
