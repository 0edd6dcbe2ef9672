// slipway — Docker tests
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import Docker
import Foundation
import Processes
import TestSupport

/// A second, throwaway dockerd of the test's own (state under /tmp, no bridge, no iptables),
/// for tests that kill a daemon: the shared test daemon must survive them. Stopped and
/// cleaned up by PID, never by name.
final class PrivateDockerd: @unchecked Sendable {
    // @unchecked: used by one test task at a time.
    static let dockerd = "/usr/sbin/dockerd"

    let directory: String
    let socketPath: String
    let tcpPort: UInt16?
    private let process: ChildProcess

    /// Whether this machine can run one: root, Debian's dockerd, no shared system containerd
    /// (dockerd 20.10 would use it instead of starting its own).
    static var isAvailable: Bool {
        geteuid() == 0 && FileManager.default.isExecutableFile(atPath: self.dockerd)
            && !FileManager.default.fileExists(atPath: "/run/containerd/containerd.sock")
    }

    static let unavailableComment = "needs root, /usr/sbin/dockerd and no system containerd to start a second private dockerd"

    private init(directory: String, tcpPort: UInt16?, process: ChildProcess) {
        self.directory = directory
        self.socketPath = "\(directory)/d.sock"
        self.tcpPort = tcpPort
        self.process = process
    }

    var pid: pid_t { self.process.pid }
    var unixHost: String { "unix://\(self.socketPath)" }

    /// Starts the daemon and waits until it answers `/_ping` (up to 30 s).
    static func start(listenOnTCP: Bool) async throws -> PrivateDockerd {
        var template = Array("/tmp/slipway-dockerd-XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else { throw DockerTestSetupError(message: "mkdtemp failed: errno \(errno)") }
        let directory = String(decoding: UnsafeRawBufferPointer(start: created, count: strlen(created)), as: UTF8.self)
        // Keeps the host's /etc/docker out (its daemon.json and key.json).
        try Data("{\"deprecated-key-path\": \"\(directory)/key.json\"}\n".utf8).write(to: URL(fileURLWithPath: "\(directory)/daemon.json"))
        let port = listenOnTCP ? try Self.freeLoopbackPort() : nil
        var arguments = [
            "--data-root", "\(directory)/data", "--exec-root", "\(directory)/exec", "--pidfile", "\(directory)/dockerd.pid",
            "--host", "unix://\(directory)/d.sock", "--config-file", "\(directory)/daemon.json",
            "--bridge=none", "--iptables=false", "--ip-forward=false", "--ip-masq=false", "--userland-proxy=false",
        ]
        if let port { arguments += ["--host", "tcp://127.0.0.1:\(port)"] }
        let process = try await ProcessRunner.start(
            Self.dockerd, arguments, environment: ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root"],
            replacingEnvironment: true, currentDirectory: "/", logPath: "\(directory)/dockerd.log")
        let daemon = PrivateDockerd(directory: directory, tcpPort: port, process: process)
        do {
            let client = DockerClient(address: .unix(path: daemon.socketPath), group: DockerTestEnvironment.group)
            try await client.waitUntilReady(timeout: .seconds(30))
        } catch {
            let tail = (try? String(contentsOfFile: "\(directory)/dockerd.log", encoding: .utf8))?.split(separator: "\n").suffix(20).joined(separator: "\n") ?? ""
            await daemon.stop()
            throw DockerTestSetupError(message: "the second dockerd did not start: \(error)\n\(tail)")
        }
        return daemon
    }

    /// Sends `signal` to the daemon (by PID).
    func kill(_ signal: CInt) {
        self.process.signal(signal, wholeGroup: false)
    }

    /// Waits until the daemon process has exited.
    func waitForExit(timeout: Duration = .seconds(30)) async -> Bool {
        (try? await waitUntil("dockerd exiting", timeout: timeout, interval: .milliseconds(20)) { !self.process.isRunning }) != nil
    }

    /// Stops the daemon (SIGTERM, then SIGKILL), its containerd if it outlived it, unmounts
    /// what it left under the state directory and deletes that directory.
    func stop() async {
        if self.process.isRunning {
            self.kill(SIGTERM)
            if await !self.waitForExit(timeout: .seconds(15)) {
                self.kill(SIGKILL)
                _ = await self.waitForExit(timeout: .seconds(10))
            }
        }
        // dockerd starts containerd with a parent-death signal; check anyway, by PID.
        let containerdPIDFile = "\(self.directory)/exec/containerd/containerd.pid"
        if let text = try? String(contentsOfFile: containerdPIDFile, encoding: .utf8), let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)),
           let commandLine = try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8), commandLine.contains(self.directory) {
            _ = Glibc.kill(pid, SIGKILL)
        }
        for mount in Self.mounts(under: self.directory) {
            _ = umount2(mount, CInt(MNT_DETACH))
        }
        try? FileManager.default.removeItem(atPath: self.directory)
    }

    /// Mount points under `directory`, deepest first.
    private static func mounts(under directory: String) -> [String] {
        guard let table = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) else { return [] }
        var result: [String] = []
        for line in table.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count > 4 else { continue }
            let point = String(fields[4]).replacingOccurrences(of: "\\040", with: " ")
            if point.hasPrefix(directory + "/") { result.append(point) }
        }
        return result.sorted { $0.count > $1.count }
    }

    /// A loopback port nobody listens on right now.
    private static func freeLoopbackPort() throws -> UInt16 {
        let descriptor = socket(AF_INET, CInt(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw DockerTestSetupError(message: "socket failed: errno \(errno)") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw DockerTestSetupError(message: "bind failed: errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return UInt16(bigEndian: address.sin_port)
    }
}
