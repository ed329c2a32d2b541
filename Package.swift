// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "vestnik",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "vestnik", targets: ["Vestnik"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/vapor/sql-kit", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit", from: "2.17.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // gzip for the page cache (zlib, which the Swift toolchain itself needs, so nothing new to install).
        .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.5.0"),
        // /metrics in Prometheus's text format (swift-metrics, which it builds on, is already in the graph).
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        // SHA-256, HMAC (TOTP) and AES-GCM (sealed TOTP secrets); postgres-nio builds it already.
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        .executableTarget(
            name: "Vestnik",
            dependencies: [
                "VestnikWeb", "VestnikStore", "VestnikCore", "VestnikDemo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // swift-crypto for SHA-256 (already built for postgres-nio). Nothing else: the fuzz targets build VestnikCore with
        // swiftc alone, all but Newsroom/SHA256.swift (fuzz/run.sh).
        .target(name: "VestnikCore", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        // libvips, opened at run time (dlopen): no libvips headers or library are needed to build (Sources/CVips).
        .target(name: "CVips", linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]),
        .target(
            name: "VestnikStore",
            dependencies: [
                "VestnikCore", "CVips",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        .target(
            name: "VestnikWeb",
            dependencies: [
                "VestnikStore", "VestnikCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            resources: [.copy("Assets")],
            plugins: ["ViewModels"]
        ),
        // View models are declared once, in `.views` files beside the Swift; this plugin generates their classes,
        // inits, field switches and the `FieldID` enum (Plugins/ViewModelGenerator/main.swift says the format).
        .plugin(name: "ViewModels", capability: .buildTool(), dependencies: ["ViewModelGenerator"], path: "Plugins/ViewModels"),
        .executableTarget(name: "ViewModelGenerator", path: "Plugins/ViewModelGenerator"),
        // Benchmarks that need the library in-process (bench/README.md); not part of the product.
        .executableTarget(
            name: "VestnikBench",
            dependencies: [
                "VestnikStore", "VestnikCore", "VestnikDemo", "VestnikTestSupport", .product(name: "Logging", package: "swift-log"),
            ],
            path: "bench/VestnikBench"
        ),
        // The demo site lives in content/demo as ordinary content files; this tiny target ships them as a resource.
        .target(name: "VestnikDemo", path: "content", exclude: ["README.md"], resources: [.copy("demo")]),
        // Fresh migrated databases (SQLite, and PostgreSQL when configured) for the test targets.
        .target(
            name: "VestnikTestSupport",
            dependencies: [
                "VestnikStore", "VestnikCore", .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/VestnikTestSupport",
            // Real pictures for the renditions' tests (made by Pictures/README.md's commands).
            resources: [.copy("Pictures")]
        ),
        .testTarget(name: "VestnikCoreTests", dependencies: ["VestnikCore", "VestnikTestSupport"]),
        .testTarget(
            name: "VestnikStoreTests",
            dependencies: [
                "VestnikStore", "VestnikCore", "VestnikDemo", "VestnikTestSupport", .product(name: "SQLiteKit", package: "sqlite-kit"),
            ]
        ),
        .testTarget(
            name: "VestnikWebTests",
            dependencies: [
                "VestnikWeb", "VestnikStore", "VestnikCore", "VestnikDemo", "VestnikTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
    ]
)
