// slipway — HTTPS client benchmark (run by bench/tls.sh; not a product).
//
//   slipway-tls-bench --url https://localhost:PORT/hello --ca CA.pem [--requests N] [--warmup N]
//                     [--mode keepalive|new]
//
// Sends N GET requests one after another through slipway's HTTPClient over TLS and prints
// "requests=N seconds=S rps=R". keepalive: one pooled connection carries them all. new: every
// request opens a fresh TCP connection and runs a full TLS handshake (no session resumption;
// the client asks the server to close with `Connection: close` and keeps no idle connection),
// sharing one TLS context (the CA file is read once), as slipway's reporter does.

#if canImport(Glibc)
import Glibc
#endif
import HTTP
import Sockets
import TLS

func fail(_ message: String) -> Never {
    let line = Array("slipway-tls-bench: \(message)\n".utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(2)
}

var url = ""
var caFile: String?
var requests = 1000
var warmup = 20
var mode = "keepalive"
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    func value() -> String {
        guard let value = arguments.popFirst() else { fail("\(argument) needs a value") }
        return value
    }
    switch argument {
    case "--url": url = value()
    case "--ca": caFile = value()
    case "--requests": requests = Int(value()) ?? requests
    case "--warmup": warmup = Int(value()) ?? warmup
    case "--mode": mode = value()
    default: fail("unknown argument \(argument)")
    }
}
guard mode == "keepalive" || mode == "new" else { fail("--mode must be keepalive or new") }
guard let schemeEnd = url.firstRange(of: "://"), let slash = url[schemeEnd.upperBound...].firstIndex(of: "/") else {
    fail("--url must be https://HOST:PORT/PATH")
}
let origin = String(url[..<slash])
let path = String(url[slash...])

var tls = TLSConfiguration()
if let caFile { tls.trustRoots = .file(caFile) }
var configuration = HTTPClient.Configuration()
var fields = HTTPFields()
if mode == "new" {
    configuration.maxIdleConnections = 0
    fields.append(name: "Connection", value: "close")
}
let group = try EventLoopGroup(count: 1, namePrefix: "tls-bench")
let client = try HTTPClient(url: origin, tls: tls, group: group, configuration: configuration)
let request = HTTPClientRequest(target: path, fields: fields)

func run(_ count: Int) async throws {
    for _ in 0..<count {
        let (head, _) = try await client.collect(request, limit: 1 << 20)
        guard head.status.code == 200 else { fail("the server answered \(head.status.code)") }
    }
}

try await run(warmup)
let start = ContinuousClock.now
try await run(requests)
let elapsed = ContinuousClock.now - start
let (whole, fraction) = elapsed.components
let seconds = Double(whole) + Double(fraction) / 1e18
print("requests=\(requests) seconds=\(seconds) rps=\(Double(requests) / seconds)")
