// swift-tools-version: 6.1
import PackageDescription

/// The simulation's modules run one request after another on the simulation thread, millions of times a
/// drill. Release builds skip the runtime's exclusivity checks there (a tenth of a drill's instructions once
/// its world is built); debug builds, and so `swift test`, keep them, and the compiler's static checks hold in
/// both. SwiftPM before 6.2 accepts unsafe flags only in root and path dependencies: a package that depends on
/// smdrill's libraries by version needs SwiftPM 6.2 or later.
let hotPath: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "smdrill",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "smdrill", targets: ["smdrill"]),
        .library(name: "SecretsManager", targets: ["SecretsManager"]),
        .library(name: "Simulation", targets: ["Simulation"]),
        .library(name: "FakeSecretsManager", targets: ["FakeSecretsManager"]),
        .library(name: "Recovery", targets: ["Recovery"]),
        .library(name: "Drill", targets: ["Drill"]),
        .library(name: "Compliance", targets: ["Compliance"]),
        .library(name: "Reporting", targets: ["Reporting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        // v2 model types and the SecretsManagerService protocol; no I/O.
        .target(name: "SecretsManager", swiftSettings: hotPath),
        // Discrete-event kernel: virtual clock, events, processes, seeded random numbers.
        .target(
            name: "Simulation",
            dependencies: [
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            swiftSettings: hotPath
        ),
        // A cache prefetch hint, which Swift cannot express (one inline C function).
        .target(name: "CPrefetch"),
        // The in-process fake IBM Cloud Secrets Manager.
        .target(
            name: "FakeSecretsManager",
            dependencies: [
                "SecretsManager",
                "Simulation",
                "CPrefetch",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "OrderedCollections", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: hotPath
        ),
        // The real recovery paths, written against SecretsManagerService only.
        .target(
            name: "Recovery",
            dependencies: ["SecretsManager", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: hotPath
        ),
        // Drills: scenarios, the engine, the workload, faults, runbooks and measurement.
        .target(
            name: "Drill",
            dependencies: [
                "SecretsManager",
                "Simulation",
                "FakeSecretsManager",
                "Recovery",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: hotPath
        ),
        // The compliance checker: the DR plan, the controls, waivers. Evidence comes in as plain values.
        .target(
            name: "Compliance",
            dependencies: [
                "Drill", "SecretsManager", "FakeSecretsManager",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // libxml2, for writing and validating JUnit XML.
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        // Reports: JUnit XML, the HTML report, the evidence history.
        .target(
            name: "Reporting",
            dependencies: [
                "CLibXML2",
                "Compliance",
                "Drill",
                "SecretsManager",
                "Simulation",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The commands, kept in a library so tests can drive them.
        .target(
            name: "SmdrillCLI",
            dependencies: [
                "SecretsManager",
                "Simulation",
                "FakeSecretsManager",
                "Drill",
                "Reporting",
                "Compliance",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(name: "smdrill", dependencies: ["SmdrillCLI"]),

        .testTarget(name: "SecretsManagerTests", dependencies: ["SecretsManager"]),
        .testTarget(name: "SimulationTests", dependencies: ["Simulation"]),
        .testTarget(
            name: "FakeSecretsManagerTests",
            dependencies: [
                "FakeSecretsManager", "SecretsManager", "Simulation", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "RecoveryTests",
            dependencies: [
                "Recovery", "FakeSecretsManager", "SecretsManager", "Simulation", .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(name: "DrillTests", dependencies: ["Drill", "FakeSecretsManager", "SecretsManager", "Simulation"]),
        .testTarget(name: "ComplianceTests", dependencies: ["Compliance", "Drill"]),
        .testTarget(
            name: "ReportingTests",
            dependencies: [
                "Reporting", "Drill", "FakeSecretsManager", "SecretsManager",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "SmdrillCLITests",
            dependencies: ["SmdrillCLI", "Reporting", "Drill", .product(name: "GRDB", package: "GRDB.swift")]
        ),
    ]
)
