// swift-tools-version: 6.0
import PackageDescription

// Dependencies point one way; docs/architecture.md shows the graph (scripts/module-graph.py writes it from
// this file, and a test checks that it is current).
let package = Package(
    name: "slipway",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "slipway", targets: ["slipway"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // MARK: - C libraries and shims
        .target(name: "CSystem"),
        .systemLibrary(name: "CNGHTTP2", pkgConfig: "libnghttp2", providers: [.apt(["libnghttp2-dev"])]),
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),

        // MARK: - Platform
        .target(name: "SystemCalls", dependencies: ["CSystem"]),
        .target(name: "Threads", dependencies: ["CSystem"]),
        .target(name: "Sockets", dependencies: ["CSystem", "SystemCalls", "Threads"]),
        .target(name: "Processes", dependencies: ["CSystem", "SystemCalls", "Threads"]),
        .target(name: "Compression", dependencies: ["CZlib"]),
        .target(name: "SQLite", dependencies: ["CSQLite", "Threads"]),
        .target(name: "TLS", dependencies: ["Sockets", "COpenSSL"]),
        .target(name: "YAML", dependencies: ["CYAML"]),
        .target(
            name: "HTTP",
            dependencies: ["Sockets", "TLS", "Compression", "CNGHTTP2", .product(name: "Logging", package: "swift-log")]
        ),

        // MARK: - Domain and storage
        .target(name: "Jobs"),
        .target(name: "CommitStatus", dependencies: ["Jobs"]),
        .target(name: "Store", dependencies: ["Jobs", "CommitStatus", "SQLite", "SystemCalls", "Threads"]),

        .target(
            name: "Docker",
            dependencies: ["HTTP", "Sockets", .product(name: "Logging", package: "swift-log")]
        ),
        // The guarded Docker socket of host-worker jobs: a proxy to the engine with ownership rules.
        .target(
            name: "DockerGuard",
            dependencies: ["Docker", "HTTP", "Sockets", "Threads", .product(name: "Logging", package: "swift-log")]
        ),
        .target(name: "API", dependencies: ["HTTP", "Jobs", .product(name: "Logging", package: "swift-log")]),
        // The web pages for people: server-rendered HTML over the API's read ports and its
        // access policy; its CSS and JavaScript are compiled in.
        .target(name: "WebUI", dependencies: ["API", "HTTP", "Jobs", "Compression"]),
        .target(
            name: "GitLab",
            dependencies: ["CSystem", "Jobs", "Processes", "YAML", .product(name: "Logging", package: "swift-log")]
        ),

        // MARK: - Composition
        .target(
            name: "Application",
            dependencies: [
                "API", "CommitStatus", "Docker", "DockerGuard", "GitLab", "HTTP", "Jobs", "Processes", "Sockets", "Store", "SystemCalls", "Threads", "WebUI", "YAML",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "slipway",
            dependencies: ["Application", "API", "HTTP", "Sockets", "SQLite", "SystemCalls", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                           .product(name: "UnixSignals", package: "swift-service-lifecycle")]
        ),

        // MARK: - Benchmarks (not products: built and run by bench/*.sh only)
        .executableTarget(name: "slipway-bench", dependencies: ["Docker", "Sockets"], path: "bench/Sources/slipway-bench"),
        .executableTarget(
            name: "slipway-http-bench",
            dependencies: ["HTTP", "Sockets", .product(name: "Logging", package: "swift-log")],
            path: "bench/HTTPBenchServer"
        ),
        .executableTarget(name: "slipway-tls-bench", dependencies: ["HTTP", "Sockets", "TLS"], path: "bench/TLSBench"),
        .executableTarget(name: "slipway-sse-bench", dependencies: ["CSystem"], path: "bench/SSEBench"),
        .executableTarget(
            name: "slipway-guard-bench",
            dependencies: ["Docker", "DockerGuard", "Sockets", .product(name: "Logging", package: "swift-log")],
            path: "bench/GuardBench"
        ),

        // MARK: - Tests
        .target(
            name: "TestSupport",
            dependencies: ["Docker", "HTTP", "Processes", "Sockets", "TLS", .product(name: "Logging", package: "swift-log")],
            path: "Tests/TestSupport"
        ),
        .testTarget(name: "ArchitectureTests", dependencies: ["TestSupport"]),
        .testTarget(name: "SystemCallsTests", dependencies: ["SystemCalls"]),
        .testTarget(name: "SocketsTests", dependencies: ["Sockets", "TestSupport"]),
        .testTarget(name: "ProcessesTests", dependencies: ["Processes", "SystemCalls", "Threads", "TestSupport"]),
        // Run by ProcessesTests: a parent that dies by SIGKILL with a child running.
        .executableTarget(name: "slipway-process-probe", dependencies: ["Processes"], path: "Tests/ProcessProbe"),
        .testTarget(name: "TLSTests", dependencies: ["TLS", "HTTP", "Sockets", "TestSupport"]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "Sockets", "Compression", "TestSupport"]),
        .testTarget(name: "CompressionTests", dependencies: ["Compression", "TestSupport"]),
        .testTarget(name: "SQLiteTests", dependencies: ["SQLite", "Processes", "TestSupport", "Threads"]),
        .testTarget(name: "YAMLTests", dependencies: ["YAML"]),
        .testTarget(name: "JobsTests", dependencies: ["Jobs", "Processes", "TestSupport"]),
        .testTarget(name: "DockerTests", dependencies: ["Docker", "HTTP", "Processes", "Sockets", "TestSupport"]),
        .testTarget(name: "DockerGuardTests", dependencies: ["DockerGuard", "Docker", "HTTP", "Processes", "Sockets", "TestSupport"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "Jobs", "Threads"]),
        .testTarget(name: "APITests", dependencies: ["API", "HTTP", "Jobs"]),
        // The pages' rendering and sessions, and the pages in headless Chromium against a live
        // server running real jobs on the private Docker daemon.
        .testTarget(
            name: "WebUITests",
            dependencies: ["WebUI", "API", "Application", "HTTP", "Jobs", "Store", "Sockets", "TestSupport",
                           .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "APIServerTests",
            dependencies: ["Application", "API", "Docker", "HTTP", "Jobs", "Store", "Sockets", "TestSupport", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(name: "GitLabTests", dependencies: ["GitLab", "Jobs", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ApplicationTests", dependencies: ["Application", "Docker", "Jobs"]),
        // GitLab webhooks against the live server, and pipelines from real git repositories
        // run on the private Docker daemon.
        .testTarget(
            name: "WebhookTests",
            dependencies: ["Application", "API", "GitLab", "HTTP", "Jobs", "Store", "Sockets", "TestSupport",
                           .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "CommitStatusTests",
            dependencies: ["CommitStatus", "Application", "Store", "Jobs", "HTTP", "Sockets", "TestSupport", .product(name: "Logging", package: "swift-log")]
        ),
        // End to end: the `slipway` binary, its HTTP API and the private Docker daemon.
        .testTarget(name: "ServeTests", dependencies: ["Docker", "HTTP", "Sockets", "TestSupport"]),
        .testTarget(
            name: "DindWorkerTests",
            dependencies: ["Application", "Docker", "Jobs", "Store", "TestSupport", .product(name: "Logging", package: "swift-log")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
