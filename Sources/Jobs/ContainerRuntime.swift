// slipway — Jobs
// SPDX-License-Identifier: Apache-2.0

/// What workers need from a container engine. The Docker adapter in `Application` implements
/// it; unit tests of scheduling use a fake.
public protocol ContainerRuntime: Sendable {
    /// Whether the engine answers (`/_ping`).
    func ping() async throws

    /// Whether `image` is present on the engine.
    func imageExists(_ image: String) async throws -> Bool

    /// Creates a container; returns its id.
    func createContainer(_ specification: ContainerSpecification) async throws -> String

    func startContainer(_ id: String) async throws

    /// Attaches to a created, not yet started container's combined stdout and stderr, so the
    /// output arrives as it is written and none is missed. How a job's output is read on its
    /// first run; ``followOutput(_:sinceUnixTime:output:)`` serves resumed jobs.
    func attachOutput(_ id: String) async throws -> any ContainerOutputStream

    /// Streams the container's combined stdout and stderr to `output` as it arrives, from
    /// `sinceUnixTime` (or the beginning), until the container stops or the task is canceled.
    func followOutput(_ id: String, sinceUnixTime: Int64?, output: @escaping @Sendable ([UInt8]) async -> Void) async throws

    /// Waits until the container stops; returns its exit code.
    func waitForExit(_ id: String) async throws -> Int32

    /// Sends SIGTERM (the container's stop signal), then SIGKILL after `gracePeriod`.
    func stopContainer(_ id: String, gracePeriod: Duration) async throws

    /// Removes the container and its anonymous volumes, even if running; a missing container
    /// is not an error.
    func removeContainer(_ id: String) async throws

    /// Containers (running or not) whose labels include every pair in `labels`.
    func containers(labeled labels: [String: String]) async throws -> [ContainerSummary]

    /// Whether the container is running, and its exit code once it stopped.
    func state(of id: String) async throws -> ContainerState?

    // MARK: Per-job daemons (the dind worker); defaults in ContainerRuntime+Defaults.swift

    /// Creates a named volume with `labels`; an existing volume of that name is reused.
    func createVolume(_ name: String, labels: [String: String]) async throws

    /// Removes a volume; a missing one is not an error.
    func removeVolume(_ name: String) async throws

    /// Volumes whose labels include every pair in `labels`.
    func volumes(labeled labels: [String: String]) async throws -> [VolumeSummary]

    /// Networks whose labels include every pair in `labels`.
    func networks(labeled labels: [String: String]) async throws -> [NetworkSummary]

    /// Removes a network; a missing one is not an error.
    func removeNetwork(_ id: String) async throws

    /// The disk space each volume uses, by name (a volume the engine did not measure is missing).
    func volumeSizes() async throws -> [String: Int64]

    /// Succeeds when the Docker daemon listening on the Unix socket at `socketPath` answers
    /// `/_ping` within `timeout`.
    func pingDaemon(socketPath: String, timeout: Duration) async throws

    /// The last `lines` lines of the container's stdout and stderr (for diagnosing a daemon
    /// that did not start).
    func lastOutput(of id: String, lines: Int) async throws -> [UInt8]
}

/// A container's output, read piece by piece (the reader sets the pace).
public protocol ContainerOutputStream: Sendable {
    /// The next piece of output; `nil` once the container has stopped.
    func next() async throws -> [UInt8]?
    /// Stops reading and releases the connection.
    func close()
}

/// The settings of a container slipway creates.
public struct ContainerSpecification: Sendable, Hashable {
    public struct Mount: Sendable, Hashable {
        public enum Kind: String, Sendable, Hashable { case bind, volume, tmpfs }
        public var kind: Kind
        public var source: String
        public var target: String
        public var readOnly: Bool

        public init(kind: Kind, source: String, target: String, readOnly: Bool = false) {
            self.kind = kind
            self.source = source
            self.target = target
            self.readOnly = readOnly
        }
    }

    public var name: String?
    public var image: String
    public var entrypoint: [String]?
    public var command: [String]
    public var environment: [String]
    public var workingDirectory: String?
    public var labels: [String: String]
    public var mounts: [Mount]
    public var networkMode: String
    public var memoryBytes: Int64?
    public var nanoCPUs: Int64?
    /// Most processes at once; `nil`: the engine's default (no limit).
    public var pidsLimit: Int64?
    public var privileged: Bool
    public var capabilitiesAdded: [String]
    public var capabilitiesDropped: [String]
    public var securityOptions: [String]
    /// Runs an init as PID 1 so signals reach the script and zombies are reaped.
    public var initProcess: Bool
    /// No masked or read-only paths under `/proc` and `/sys` (the CLI's
    /// `--security-opt systempaths=unconfined`): an unprivileged dind daemon needs them.
    public var unconfinedSystemPaths = false

    public init(name: String? = nil, image: String, entrypoint: [String]? = nil, command: [String], environment: [String] = [],
                workingDirectory: String? = nil, labels: [String: String] = [:], mounts: [Mount] = [], networkMode: String = "bridge",
                memoryBytes: Int64? = nil, nanoCPUs: Int64? = nil, pidsLimit: Int64? = nil, privileged: Bool = false, capabilitiesAdded: [String] = [],
                capabilitiesDropped: [String] = [], securityOptions: [String] = [], initProcess: Bool = true) {
        self.name = name
        self.image = image
        self.entrypoint = entrypoint
        self.command = command
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.labels = labels
        self.mounts = mounts
        self.networkMode = networkMode
        self.memoryBytes = memoryBytes
        self.nanoCPUs = nanoCPUs
        self.pidsLimit = pidsLimit
        self.privileged = privileged
        self.capabilitiesAdded = capabilitiesAdded
        self.capabilitiesDropped = capabilitiesDropped
        self.securityOptions = securityOptions
        self.initProcess = initProcess
    }
}

/// A container found by label.
public struct ContainerSummary: Sendable, Hashable {
    public var id: String
    public var labels: [String: String]
    public var isRunning: Bool
    /// Its name, without the engine's leading `/`.
    public var name: String?

    public init(id: String, labels: [String: String], isRunning: Bool, name: String? = nil) {
        self.id = id
        self.labels = labels
        self.isRunning = isRunning
        self.name = name
    }
}

/// A network found by label.
public struct NetworkSummary: Sendable, Hashable {
    public var id: String
    public var name: String
    public var labels: [String: String]

    public init(id: String, name: String, labels: [String: String]) {
        self.id = id
        self.name = name
        self.labels = labels
    }
}

/// A volume found by label.
public struct VolumeSummary: Sendable, Hashable {
    public var name: String
    public var labels: [String: String]

    public init(name: String, labels: [String: String]) {
        self.name = name
        self.labels = labels
    }
}

/// A container's run state.
public struct ContainerState: Sendable, Hashable {
    public var isRunning: Bool
    public var exitCode: Int32?

    public init(isRunning: Bool, exitCode: Int32?) {
        self.isRunning = isRunning
        self.exitCode = exitCode
    }
}

/// How a runtime failed, as far as the worker needs to know.
public enum ContainerRuntimeFailure: Error, Sendable, Equatable {
    /// The engine cannot be reached: the job waits, it does not fail.
    case engineUnavailable(String)
    /// The image does not exist.
    case imageNotFound(String)
    /// The container (or another object the call names) does not exist.
    case notFound(String)
    /// Anything else the engine refused.
    case engineError(String)
}

extension ContainerRuntimeFailure: CustomStringConvertible {
    public var description: String {
        switch self {
        case .engineUnavailable(let message), .imageNotFound(let message), .notFound(let message), .engineError(let message): message
        }
    }
}
