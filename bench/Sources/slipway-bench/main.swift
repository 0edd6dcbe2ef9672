// slipway — benchmarks that need slipway's own modules (run by bench/*.sh; not a product).
//
//   slipway-bench docker [--runs N] [--warmup N] [--image IMAGE] [--cli PATH] [--host DOCKER_HOST]
//                        [--network none|host|disabled] [--strategy remove|autoremove] [--verbose]
//
// docker: times a trivial container's life cycle (`true` in IMAGE) through slipway's Docker
// client — create, register a wait, start, exit code, remove — on keep-alive connections of
// this one process, against `CLI --host HOST run --rm --network NETWORK IMAGE true` spawned
// from here, alternating one run of each; prints the medians and each client row's ratio to
// the CLI. --network disabled runs three sides per round against the same CLI runs (with
// `--network none`): the client with `NetworkMode: none` as the CLI sends it (like for like),
// and the client creating the container as slipway's jobs are created
// (DockerClient.createContainerSkippingNetworkSandbox: `NetworkDisabled` plus the `/etc/hosts`
// put). --verbose prints every run and the client's time per step.

#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Docker
import Sockets

struct Options {
    var runs = 50
    var warmup = 3
    var image = "slipway-test/busybox:latest"
    var cli = "/usr/bin/docker"
    var host: String?
    /// `none` or `host`: the client and the CLI with that network. `disabled`: the CLI with
    /// `none` against two client sides, `none` like for like and `none` as jobs create it.
    var network = "none"
    /// `remove`: wait for the exit, then DELETE (how slipway runs jobs: the log is drained
    /// before removal). `autoremove`: AutoRemove and wait for `removed` (what `docker run --rm`
    /// does).
    var strategy = "remove"
    var verbose = false
}

func parseOptions() -> Options {
    var options = Options()
    var arguments = CommandLine.arguments.dropFirst()
    guard arguments.first == "docker" else {
        fail("usage: slipway-bench docker [--runs N] [--warmup N] [--image IMAGE] [--cli PATH] [--host DOCKER_HOST] [--network none|host|disabled] [--strategy remove|autoremove] [--verbose]")
    }
    arguments = arguments.dropFirst()
    while let argument = arguments.popFirst() {
        func value() -> String {
            guard let value = arguments.popFirst() else { fail("\(argument) needs a value") }
            return value
        }
        switch argument {
        case "--runs": options.runs = Int(value()) ?? options.runs
        case "--warmup": options.warmup = Int(value()) ?? options.warmup
        case "--image": options.image = value()
        case "--cli": options.cli = value()
        case "--host": options.host = value()
        case "--network": options.network = value()
        case "--strategy": options.strategy = value()
        case "--verbose": options.verbose = true
        default: fail("unknown argument \(argument)")
        }
    }
    return options
}

func fail(_ message: String) -> Never {
    FileHandleOutput.standardError("slipway-bench: \(message)\n")
    exit(2)
}

enum FileHandleOutput {
    static func standardError(_ text: String) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
    }
}

func now() -> ContinuousClock.Instant { ContinuousClock.now }

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// A side of the comparison; one run of each per round.
enum Side {
    /// The client with the network the CLI gets (`none` or `host`).
    case client
    /// The client with `none` created the way slipway's jobs are (`--network disabled` only).
    case clientWithoutSandbox
    case cli
}

/// One life cycle through the client: create, wait registered before start (so a container
/// that exits at once is never missed), start, exit code, remove.
///
/// - Parameter skippingSandbox: create through `createContainerSkippingNetworkSandbox`, which
///   is how the job runtime creates every container (with `none`: `NetworkDisabled` and the
///   `/etc/hosts` put, timed together as the create step).
func runWithClient(_ docker: DockerClient, _ options: Options, network: String, skippingSandbox: Bool) async throws -> Int {
    let autoRemove = options.strategy == "autoremove"
    var request = ContainerCreateRequest(image: options.image, cmd: ["true"], labels: ["slipway.bench": "1"])
    request.hostConfig = HostConfig(networkMode: network, autoRemove: autoRemove ? true : nil)
    var marks: [(String, ContinuousClock.Instant)] = [("", now())]
    let id: String
    if skippingSandbox {
        id = try await docker.createContainerSkippingNetworkSandbox(request).id
        marks.append(("create+hosts", now()))
    } else {
        id = try await docker.createContainer(request).id
        marks.append(("create", now()))
    }
    let wait = try await docker.registerWait(id, condition: autoRemove ? .removed : .nextExit)
    marks.append(("wait registered", now()))
    try await docker.startContainer(id)
    marks.append(("start", now()))
    let result = try await wait.result(timeout: .seconds(60))
    marks.append(("exit code", now()))
    if !autoRemove {
        try await docker.removeContainer(id, force: true)
        marks.append(("remove", now()))
    }
    if options.verbose {
        let steps = zip(marks.dropFirst(), marks).map { "\($0.0) \(format(seconds($0.1 - $1.1)))" }
        FileHandleOutput.standardError("  client\(skippingSandbox ? " (no sandbox)" : "") steps: \(steps.joined(separator: ", "))\n")
    }
    return result.statusCode
}

/// One `docker run --rm`: spawned, and waited for on a Dispatch thread (waitpid blocks).
func runCLI(_ options: Options, network: String, host: String) async -> Int32 {
    let arguments = [options.cli, "--host", host, "run", "--rm", "--network", network, "--label", "slipway.bench=1", options.image, "true"]
    var pid: pid_t = 0
    var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    // A private, empty CLI configuration: the caller's contexts and settings stay out.
    let environment = ["DOCKER_CONFIG=/tmp/slipway-bench-cli-config", "PATH=/usr/bin:/bin", "HOME=/tmp"]
    var envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
    defer { for pointer in envp { free(pointer) } }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    defer { posix_spawn_file_actions_destroy(&actions) }
    let status = posix_spawn(&pid, options.cli, &actions, nil, &argv, &envp)
    guard status == 0 else { fail("cannot start \(options.cli): errno \(status)") }
    let child = pid
    return await withCheckedContinuation { continuation in
        DispatchQueue.global().async {
            var status: CInt = 0
            while waitpid(child, &status, 0) < 0, errno == EINTR {}
            continuation.resume(returning: (status >> 8) & 0xFF)
        }
    }
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return .nan }
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return .nan }
    return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
}

func format(_ value: Double) -> String {
    let milliseconds = (value * 10_000).rounded() / 10
    return "\(milliseconds) ms"
}

let options = parseOptions()
guard ["none", "host", "disabled"].contains(options.network) else { fail("--network must be none, host or disabled") }
// The network the CLI (and the like-for-like client side) uses.
let network = options.network == "disabled" ? "none" : options.network
let sides: [Side] = options.network == "disabled" ? [.client, .clientWithoutSandbox, .cli] : [.client, .cli]
let hostText = options.host ?? {
    guard let value = getenv("DOCKER_HOST") else { fail("set DOCKER_HOST or pass --host") }
    return String(decoding: UnsafeRawBufferPointer(start: value, count: strlen(value)), as: UTF8.self)
}()
let group = try EventLoopGroup(count: 1, namePrefix: "bench-loop")
let docker = try await DockerClient(host: DockerHost(parsing: hostText), group: group)
let version = try await docker.apiVersion()
FileHandleOutput.standardError("engine API \(version) at \(hostText); image \(options.image); network \(options.network); strategy \(options.strategy); \(options.runs) runs each (+\(options.warmup) warm-up), alternating\n")

/// Every order of `items`.
func permutations<T>(_ items: [T]) -> [[T]] {
    guard items.count > 1 else { return [items] }
    return items.indices.flatMap { index in
        var rest = items
        let first = rest.remove(at: index)
        return permutations(rest).map { [first] + $0 }
    }
}

let orders = permutations(sides)
var times: [Side: [Double]] = [:]
for round in 0..<(options.warmup + options.runs) {
    let measured = round >= options.warmup
    // Every order of the sides in turn, so none always goes first or follows the same one.
    for side in orders[round % orders.count] {
        let start = now()
        switch side {
        case .client, .clientWithoutSandbox:
            let code = try await runWithClient(docker, options, network: network, skippingSandbox: side == .clientWithoutSandbox)
            if code != 0 { fail("client run exited \(code)") }
        case .cli:
            let code = await runCLI(options, network: network, host: hostText)
            if code != 0 { fail("CLI run exited \(code)") }
        }
        let elapsed = seconds(now() - start)
        if measured { times[side, default: []].append(elapsed) }
        if options.verbose {
            FileHandleOutput.standardError("round \(round) \(side) \(format(elapsed))\(measured ? "" : " (warm-up)")\n")
        }
    }
}

func row(_ label: String, _ values: [Double]) -> String {
    "\(label): median \(format(median(values))), p10 \(format(percentile(values, 0.1))), p90 \(format(percentile(values, 0.9)))"
}

func ratio(_ values: [Double], to cli: [Double]) -> String {
    "\((median(values) / median(cli) * 1000).rounded() / 1000)x"
}

let cycle = options.strategy == "autoremove" ? "create+wait(removed)+start, AutoRemove" : "create+wait+start+exit code+remove"
print(row("slipway client, NetworkMode \(network) (\(cycle))", times[.client] ?? []) + "; ratio \(ratio(times[.client] ?? [], to: times[.cli] ?? []))")
if sides.contains(.clientWithoutSandbox) {
    print(row("slipway client, NetworkMode none + NetworkDisabled + /etc/hosts put, as jobs (\(cycle))", times[.clientWithoutSandbox] ?? []) + "; ratio \(ratio(times[.clientWithoutSandbox] ?? [], to: times[.cli] ?? []))")
}
print(row("docker run --rm --network \(network) (CLI)", times[.cli] ?? []))
print("ratios are client/CLI medians (target <= 0.8x)")
