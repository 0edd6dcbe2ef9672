// swift-tools-version: 6.0
import PackageDescription

// Dependencies point one way: slipway → Application → (API, GitLab, Jobs, Store, Docker, HTTP)
// → (Sockets, Compression, SQLite) → C libraries. See README.md "Layout".
let package = Package(
    name: "slipway",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "slipway", targets: ["slipway"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // MARK: - C libraries and shims
        .target(name: "CSystem"),
        .systemLibrary(name: "CNGHTTP2", pkgConfig: "libnghttp2", providers: [.apt(["libnghttp2-dev"])]),
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CSQLite", providers: [.apt(["libsqlite3-dev"])]),

        // MARK: - Platform
        .target(name: "Sockets", dependencies: ["CSystem"]),
        .target(name: "Compression", dependencies: ["CZlib"]),
        .target(name: "SQLite", dependencies: ["CSQLite"]),
        .target(
            name: "HTTP",
            dependencies: ["Sockets", "Compression", "CNGHTTP2", .product(name: "Logging", package: "swift-log")]
        ),

        // MARK: - Domain and storage
        .target(name: "Jobs"),
        .target(name: "Store", dependencies: ["Jobs", "SQLite"]),

        .target(
            name: "Docker",
            dependencies: ["HTTP", "Sockets", .product(name: "Logging", package: "swift-log")]
        ),
        .target(name: "API", dependencies: ["HTTP", "Jobs"]),

        // MARK: - Composition
        .target(
            name: "Application",
            dependencies: [
                "API", "Docker", "HTTP", "Jobs", "Sockets", "Store",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(
            name: "slipway",
            dependencies: ["Application", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),

        // MARK: - Benchmarks (not products: built and run by bench/*.sh only)
        .executableTarget(name: "slipway-bench", dependencies: ["Docker", "Sockets"], path: "bench/Sources/slipway-bench"),
        .executableTarget(
            name: "slipway-http-bench",
            dependencies: ["HTTP", "Sockets", .product(name: "Logging", package: "swift-log")],
            path: "bench/HTTPBenchServer"
        ),

        // MARK: - Tests
        .target(
            name: "TestSupport",
            dependencies: ["HTTP", "Sockets", .product(name: "Logging", package: "swift-log")],
            path: "Tests/TestSupport"
        ),
        .testTarget(name: "SocketsTests", dependencies: ["Sockets", "TestSupport"]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "Sockets", "Compression", "TestSupport"]),
        .testTarget(name: "CompressionTests", dependencies: ["Compression"]),
        .testTarget(name: "SQLiteTests", dependencies: ["SQLite"]),
        .testTarget(name: "JobsTests", dependencies: ["Jobs"]),
        .testTarget(name: "DockerTests", dependencies: ["Docker", "HTTP", "Sockets", "TestSupport"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "Jobs"]),
        .testTarget(name: "APITests", dependencies: ["API", "HTTP", "Jobs"]),
        .testTarget(
            name: "DindWorkerTests",
            dependencies: ["Application", "Docker", "Jobs", "TestSupport", .product(name: "Logging", package: "swift-log")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
