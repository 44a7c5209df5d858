// swift-tools-version: 6.1
// The benchmark suite, a package of its own so its dependencies never slow `swift build` or `swift test` of
// smdrill. Run from this folder: `swift package --disable-sandbox benchmark` (see docs/PERFORMANCE.md).
import Foundation
import PackageDescription

// SwiftPM names a path dependency after its folder, whatever the clone is called.
let smdrill = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "smdrill-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "DrillBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Drill", package: smdrill),
                .product(name: "Simulation", package: smdrill),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Benchmarks/DrillBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "RecoveryBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "FakeSecretsManager", package: smdrill),
                .product(name: "Recovery", package: smdrill),
                .product(name: "SecretsManager", package: smdrill),
                .product(name: "Simulation", package: smdrill),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Benchmarks/RecoveryBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "ReportingBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Reporting", package: smdrill),
            ],
            path: "Benchmarks/ReportingBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "FakeSecretsManagerBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "FakeSecretsManager", package: smdrill),
                .product(name: "SecretsManager", package: smdrill),
                .product(name: "Simulation", package: smdrill),
            ],
            path: "Benchmarks/FakeSecretsManagerBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ]
)
