// slipway — a job's guarded Docker socket on its own, for bench/guarded-socket.sh
// SPDX-License-Identifier: Apache-2.0
//
//   slipway-guard-bench --engine /path/to/docker.sock --directory DIR
//
// Serves DIR/guard/bench.sock for a job whose workspace is DIR/workspace, exactly as the host
// worker serves a job (the same DockerGuard, policy and engine lookups), and prints the
// socket's path once it listens. Runs until SIGTERM or SIGINT.

#if canImport(Glibc)
import Glibc
#endif
import Docker
import DockerGuard
import Logging
import Sockets

func complain(_ message: String) {
    let line = Array((message + "\n").utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

var engine: String?
var directory: String?
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--engine": engine = arguments.popFirst()
    case "--directory": directory = arguments.popFirst()
    default:
        complain("usage: slipway-guard-bench --engine SOCKET --directory DIR")
        exit(2)
    }
}
guard let engine, let directory else {
    complain("usage: slipway-guard-bench --engine SOCKET --directory DIR")
    exit(2)
}

signal(SIGPIPE, SIG_IGN)
var signals = sigset_t()
sigemptyset(&signals)
sigaddset(&signals, SIGTERM)
sigaddset(&signals, SIGINT)
pthread_sigmask(SIG_BLOCK, &signals, nil)

var logger = Logger(label: "slipway-guard-bench")
logger.logLevel = .error
let group = try EventLoopGroup()
let client = DockerClient(address: .unix(path: engine), group: group, logger: logger)
let dockerGuard = DockerGuard(settings: DockerGuard.Settings(socketDirectory: "\(directory)/guard", engine: DockerHost(.unix(path: engine))),
                              group: group, lookup: DockerEngineLookup(client: client), logger: logger)
try await dockerGuard.prepareDirectory()
mkdir("\(directory)/workspace", 0o755)
let labels = ["slipway.managed": "true", "slipway.instance": "guard-bench", "slipway.job": "1"]
let policy = GuardPolicy(ownerLabels: labels, creationLabels: ["slipway.role": "guarded"], workspace: "\(directory)/workspace",
                         engineSocketPath: engine, guardedSocketPath: dockerGuard.socketPath(for: "bench"),
                         guardedSocketDirectory: dockerGuard.settings.socketDirectory)
let socket = try await dockerGuard.open("bench", policy: policy)
let announcement = Array((socket.path + "\n").utf8)
_ = announcement.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
var received: Int32 = 0
sigwait(&signals, &received)
await dockerGuard.closeAll()
