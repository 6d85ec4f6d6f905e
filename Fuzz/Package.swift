// swift-tools-version: 6.0
// libFuzzer targets for dialtone's input readers. Kept out of the root package so the normal
// build never sees fuzzer flags; build and run them with scripts/fuzz.sh.
//
// The modules under test come from the root package's library products (a path dependency),
// compiled again here with the fuzzer's flags: scripts/fuzz.sh passes them to every target.
import PackageDescription

// gold trips over the sanitizer objects ("internal error in format_file_lineno"); lld links them.
let lld: [LinkerSetting] = [.unsafeFlags(["-use-ld=lld"])]

// The root's products under test.
let core: Target.Dependency = .product(name: "IncidentCore", package: "dialtone")
let ingest: Target.Dependency = .product(name: "Ingest", package: "dialtone")
let console: Target.Dependency = .product(name: "Console", package: "dialtone")

let package = Package(
    name: "dialtone-fuzz",
    platforms: [.macOS(.v15)],  // as the root package
    dependencies: [
        .package(name: "dialtone", path: "..")
    ],
    targets: [
        .target(name: "CFuzzDriver", path: "Targets/CFuzzDriver"),
        // One executable per fuzzer; each main hands libFuzzer's driver its test function.
        .executableTarget(name: "FuzzParsers", dependencies: ["CFuzzDriver", ingest], path: "Targets/FuzzParsers", linkerSettings: lld),
        .executableTarget(name: "FuzzDetect", dependencies: ["CFuzzDriver", ingest], path: "Targets/FuzzDetect", linkerSettings: lld),
        .executableTarget(name: "FuzzPlaybook", dependencies: ["CFuzzDriver", core], path: "Targets/FuzzPlaybook", linkerSettings: lld),
        .executableTarget(name: "FuzzTheme", dependencies: ["CFuzzDriver", console], path: "Targets/FuzzTheme", linkerSettings: lld),
        .executableTarget(name: "FuzzJournal", dependencies: ["CFuzzDriver", core], path: "Targets/FuzzJournal", linkerSettings: lld),
        .executableTarget(name: "FuzzMarkdown", dependencies: ["CFuzzDriver", core], path: "Targets/FuzzMarkdown", linkerSettings: lld),
    ]
)
