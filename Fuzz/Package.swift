// swift-tools-version: 6.0
// libFuzzer targets for dialtone's input readers. Kept out of the root package so the normal
// build never sees fuzzer flags; build and run them with scripts/fuzz.sh.
//
// A path dependency on the root package would only expose its `dialtone` executable, so the
// modules under test are compiled here again from the root's sources: Sources/<Module> in this
// folder are symlinks to ../../Sources/<Module>.
import PackageDescription

// gold trips over the sanitizer objects ("internal error in format_file_lineno"); lld links them.
let lld: [LinkerSetting] = [.unsafeFlags(["-use-ld=lld"])]

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
        .target(name: "CFuzzDriver", path: "Targets/CFuzzDriver"),
        // One executable per fuzzer; each main hands libFuzzer's driver its test function.
        .executableTarget(name: "FuzzParsers", dependencies: ["CFuzzDriver", "Ingest"], path: "Targets/FuzzParsers", linkerSettings: lld),
        .executableTarget(name: "FuzzDetect", dependencies: ["CFuzzDriver", "Ingest"], path: "Targets/FuzzDetect", linkerSettings: lld),
        .executableTarget(name: "FuzzPlaybook", dependencies: ["CFuzzDriver", "IncidentCore"], path: "Targets/FuzzPlaybook", linkerSettings: lld),
        .executableTarget(name: "FuzzTheme", dependencies: ["CFuzzDriver", "Console"], path: "Targets/FuzzTheme", linkerSettings: lld),
        .executableTarget(name: "FuzzJournal", dependencies: ["CFuzzDriver", "IncidentCore"], path: "Targets/FuzzJournal", linkerSettings: lld),
        .executableTarget(name: "FuzzMarkdown", dependencies: ["CFuzzDriver", "IncidentCore"], path: "Targets/FuzzMarkdown", linkerSettings: lld),
    ]
)
