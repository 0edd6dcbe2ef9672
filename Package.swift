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
            dependencies: ["Sockets", .product(name: "Logging", package: "swift-log")]
        ),

        .target(
            name: "Docker",
            dependencies: ["HTTP", "Sockets", .product(name: "Logging", package: "swift-log")]
        ),

        // MARK: - Composition
        .target(
            name: "Application",
            dependencies: [
                "HTTP", "Sockets",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(
            name: "slipway",
            dependencies: ["Application", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),

        // MARK: - Tests
        .target(
            name: "TestSupport",
            dependencies: ["HTTP", "Sockets", .product(name: "Logging", package: "swift-log")],
            path: "Tests/TestSupport"
        ),
        .testTarget(name: "SocketsTests", dependencies: ["Sockets", "TestSupport"]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "Sockets", "TestSupport"]),
        .testTarget(name: "CompressionTests", dependencies: ["Compression"]),
        .testTarget(name: "SQLiteTests", dependencies: ["SQLite"]),
        .testTarget(name: "DockerTests", dependencies: ["Docker", "HTTP", "Sockets", "TestSupport"]),

        // MARK: - Benchmarks (not a product: built and run by bench/*.sh only)
        .executableTarget(name: "slipway-bench", dependencies: ["Docker", "Sockets"], path: "bench/Sources/slipway-bench"),

    ],
    swiftLanguageModes: [.v6]
)
