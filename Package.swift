// swift-tools-version: 6.0
// dialtone: an incident console for production voice-AI agents.
// Layout: a pure core (IncidentCore: journal codec, fold, playbooks, export), the file-backed
// journal and war room (IncidentStore), log ingestion and health (Ingest), an OTLP/HTTP and
// NDJSON receiver that spools what a fleet sends (Receiver, CZlib), notification channels and
// the outbox sender (Notify), runnable checklist checks (Checks), a fleet simulator
// (Simulator), a pure screen model (TermGrid, Console), the console's run loop and workers
// (ConsoleRuntime), a thin ncurses backend (CNcursesw, CursesBackend) and an executable that only
// wires them (dialtone). README "Architecture".
import PackageDescription

let package = Package(
    name: "dialtone",
    platforms: [.macOS(.v15)],  // Synchronization.Mutex
    products: [
        .executable(name: "dialtone", targets: ["dialtone"]),
        // The pure modules, for Fuzz/ (its own package, so fuzzer flags stay out of this build).
        .library(name: "IncidentCore", targets: ["IncidentCore"]),
        .library(name: "Ingest", targets: ["Ingest"]),
        .library(name: "Console", targets: ["Console"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        // The receiver: plain NIO HTTP/1.1 (no web framework, to keep clean builds short) and
        // the protobuf runtime for OTLP (its code generator is never built here; see
        // scripts/gen-otlp.sh).
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        // Tests only: readable whole-state diffs.
        .package(url: "https://github.com/pointfreeco/swift-custom-dump", from: "1.3.0"),
    ],
    targets: [
        .systemLibrary(name: "CNcursesw", path: "Sources/CNcursesw"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .target(name: "TermGrid"),
        .target(name: "CJSONText"),
        .target(
            name: "IncidentCore",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "IncidentStore",
            dependencies: ["IncidentCore", .product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "Ingest",
            dependencies: [
                "IncidentCore", "CJSONText",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            // The hot loop touches class state per line; its accesses are single-threaded by
            // design, and runtime exclusivity checks cost about a tenth of ingest time.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        ),
        .target(
            name: "Console",
            dependencies: ["IncidentCore", "Ingest", "TermGrid", .product(name: "Yams", package: "Yams")]
        ),
        .target(name: "Simulator", dependencies: ["IncidentCore"]),
        .target(name: "Checks", dependencies: ["IncidentCore"]),
        .target(
            name: "Receiver",
            dependencies: [
                "Ingest", "IncidentCore", "CZlib",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            exclude: ["Proto/otlp_common.proto", "Proto/otlp_logs.proto", "Proto/otlp_trace.proto"]
        ),
        // Channel clients (Slack, PagerDuty, Statuspage, webhook, exec, GitHub, Jira), rules and
        // the outbox sender; HTTP through the curl program (Checks' process runner), so no
        // process loads libcurl.
        .target(name: "Notify", dependencies: ["IncidentCore", "IncidentStore", "Checks", .product(name: "Yams", package: "Yams")]),
        .target(name: "CursesBackend", dependencies: ["CNcursesw", "TermGrid"]),
        // The console's one blocking loop, its effects and its workers, on any `Screen`.
        .target(
            name: "ConsoleRuntime",
            dependencies: ["Console", "IncidentCore", "IncidentStore", "Ingest", "TermGrid", "Checks", "Notify"]
        ),
        .executableTarget(
            name: "dialtone",
            dependencies: [
                "IncidentCore", "IncidentStore", "Ingest", "Console", "ConsoleRuntime", "CursesBackend", "TermGrid", "Simulator",
                "Checks", "Receiver", "Notify",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "TermGridTests", dependencies: ["TermGrid"]),
        .testTarget(
            name: "IncidentCoreTests", dependencies: ["IncidentCore"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "IncidentStoreTests", dependencies: ["IncidentStore", "IncidentCore"]),
        .testTarget(
            name: "IngestTests", dependencies: ["Ingest"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "ConsoleTests", dependencies: ["Console", .product(name: "CustomDump", package: "swift-custom-dump")]),
        .testTarget(
            name: "ConsoleRuntimeTests",
            dependencies: ["ConsoleRuntime", "Console", "IncidentStore", "IncidentCore", "TermGrid"]
        ),
        .testTarget(name: "ChecksTests", dependencies: ["Checks", "IncidentCore"], resources: [.copy("Fixtures")]),
        .testTarget(
            name: "ReceiverTests",
            dependencies: ["Receiver", "Ingest", "IncidentCore", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            // Python clients the tests run and LiveKit's recorded bodies, found by #filePath
            exclude: ["Clients", "Fixtures"]
        ),
        .testTarget(name: "SimulatorTests", dependencies: ["Simulator", "Ingest", "IncidentCore"]),
        .testTarget(name: "CursesBackendTests", dependencies: ["CursesBackend", "TermGrid"]),
        .testTarget(name: "EndToEndTests", dependencies: ["IncidentCore"]),
        .testTarget(name: "NotifyTests", dependencies: ["Notify", "IncidentStore", "IncidentCore"], resources: [.copy("Fakes")]),
    ]
)
