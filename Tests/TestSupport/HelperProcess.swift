// slipway — test support
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Processes

/// A helper server for a test (a Python stand-in, an HTTPS server) that writes its output to a
/// log file and announces what the test needs (its port) in one line of it.
///
/// It dies with the test process (see ``ChildProcess``); stop it with ``stop()``, which waits
/// for it to be reaped.
public final class HelperProcess: Sendable {
    public let child: ChildProcess
    public let logPath: String

    private init(child: ChildProcess, logPath: String) {
        self.child = child
        self.logPath = logPath
    }

    /// Starts `executable` and waits until a line of its output gives `announcement` a value.
    public static func start<Announced: Sendable>(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String] = [:],
        timeout: Duration = .seconds(20),
        announcement: @escaping @Sendable (Substring) -> Announced?
    ) async throws -> (HelperProcess, Announced) {
        let name = executable.split(separator: "/").last ?? "helper"
        let logPath = "\(NSTemporaryDirectory())slipway-\(name)-\(UUID().uuidString).log"
        let child = try await ProcessRunner.start(executable, arguments, environment: environment, logPath: logPath)
        let helper = HelperProcess(child: child, logPath: logPath)
        var announced: Announced?
        do {
            try await waitUntil("\(name) announcing itself", timeout: timeout, interval: .milliseconds(20)) {
                if let outcome = child.outcome { throw ProcessRunnerError(message: "\(name) exited (\(outcome.termination))") }
                announced = helper.log.split(separator: "\n").lazy.compactMap(announcement).first
                return announced != nil
            }
        } catch {
            let log = helper.log
            await helper.stop()
            throw ProcessRunnerError(message: "\(executable) \(arguments.joined(separator: " ")) did not start: \(error)\n\(log)")
        }
        return (helper, announced!)
    }

    /// What it wrote so far.
    public var log: String { (try? String(contentsOfFile: self.logPath, encoding: .utf8)) ?? "" }

    /// SIGKILL to its process group, then waits for it and removes its log. These helpers keep
    /// nothing that needs an orderly exit.
    public func stop() async {
        self.child.signal(SIGKILL)
        _ = await self.child.wait()
        try? FileManager.default.removeItem(atPath: self.logPath)
    }
}
