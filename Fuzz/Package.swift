// swift-tools-version: 6.0
// libFuzzer targets for dialtone's input readers. Kept out of the root package so the normal
// build never sees fuzzer flags; build and run them with scripts/fuzz.sh.
//
// A path dependency on the root package would only expose its `dialtone` executable, so the
// modules under test are compiled here again from the root's sources: Sources/<Module> in this
// folder are symlinks to ../../Sources/<Module>.
import PackageDescription

let package = Package(
    name: "dialtone-fuzz",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        .target(name: "TermGrid", path: "Sources/TermGrid"),
        .target(
            name: "IncidentCore", dependencies: [.product(name: "Yams", package: "Yams")],
            path: "Sources/IncidentCore"),
        .target(
            name: "Ingest",
            dependencies: ["IncidentCore", .product(name: "Histogram", package: "hdrhistogram-swift")],
            path: "Sources/Ingest"),
        .target(
            name: "Console",
            dependencies: ["IncidentCore", "Ingest", "TermGrid", .product(name: "Yams", package: "Yams")],
            path: "Sources/Console"),
        // One executable per fuzzer; libFuzzer supplies `main` (see scripts/fuzz.sh).
        .executableTarget(name: "FuzzParsers", dependencies: ["Ingest"], path: "Targets/FuzzParsers"),
        .executableTarget(name: "FuzzDetect", dependencies: ["Ingest"], path: "Targets/FuzzDetect"),
        .executableTarget(name: "FuzzPlaybook", dependencies: ["IncidentCore"], path: "Targets/FuzzPlaybook"),
        .executableTarget(name: "FuzzTheme", dependencies: ["Console"], path: "Targets/FuzzTheme"),
        .executableTarget(name: "FuzzJournal", dependencies: ["IncidentCore"], path: "Targets/FuzzJournal"),
        .executableTarget(name: "FuzzMarkdown", dependencies: ["IncidentCore"], path: "Targets/FuzzMarkdown"),
    ]
)
