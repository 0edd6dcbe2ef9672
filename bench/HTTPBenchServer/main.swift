// slipway — the HTTP server with benchmark routes, for bench/http2.sh
// SPDX-License-Identifier: Apache-2.0
//
//   slipway-http-bench --port 8080 [--json FILE] [--gzip-level 6] [--no-gzip] [--loops 1]
//
// Routes: GET /healthz (the same immediate handler as `slipway serve`) and GET /json (the
// bytes of FILE as application/json, so the server compresses exactly what gzip(1) is timed
// on). Runs until SIGTERM or SIGINT.

#if canImport(Glibc)
import Glibc
#endif
import HTTP
import Logging
import Sockets

/// Prints to standard error (without touching the C `stderr` global).
func complain(_ message: String) {
    let line = Array((message + "\n").utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

var port: UInt16 = 8080
var jsonPath: String?
var loops = 1
var compression = ResponseCompressionConfiguration()
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--port": port = UInt16(arguments.popFirst() ?? "") ?? port
    case "--json": jsonPath = arguments.popFirst()
    case "--loops": loops = Int(arguments.popFirst() ?? "") ?? loops
    case "--gzip-level": compression.level = Int(arguments.popFirst() ?? "") ?? compression.level
    case "--no-gzip": compression.enabled = false
    default:
        complain("usage: slipway-http-bench --port N [--json FILE] [--gzip-level 1-9] [--no-gzip] [--loops N]")
        exit(2)
    }
}

func readFile(_ path: String) -> [UInt8] {
    guard let file = fopen(path, "rb") else {
        complain("cannot open \(path)")
        exit(1)
    }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let count = fread(&buffer, 1, buffer.count, file)
        if count <= 0 { break }
        bytes += buffer[0..<count]
    }
    return bytes
}

var router = Router()
let healthy = HTTPResponse.json(bytes: Array(#"{"status":"ok"}"#.utf8))
router.get("/healthz", immediate: { _ in healthy })
if let jsonPath {
    let document = HTTPResponse.json(bytes: readFile(jsonPath))
    router.get("/json", immediate: { _ in document })
}

var configuration = HTTPServerConfiguration()
configuration.listeners = [.ipv4(host: "127.0.0.1", port: port)]
configuration.compression = compression
var logger = Logger(label: "slipway-http-bench")
logger.logLevel = .error
let group = try EventLoopGroup(count: loops)
let server = HTTPServer(configuration: configuration, router: router, group: group, logger: logger)
try await server.start()
signal(SIGPIPE, SIG_IGN)
// Block SIGTERM/SIGINT and wait for one on this thread.
var signals = sigset_t()
sigemptyset(&signals)
sigaddset(&signals, SIGTERM)
sigaddset(&signals, SIGINT)
pthread_sigmask(SIG_BLOCK, &signals, nil)
var received: Int32 = 0
sigwait(&signals, &received)
await server.shutdown(gracePeriod: .seconds(1))
