import Foundation

/// Locations of the shipped playbooks and the broken fixtures, found from this file's path so
/// the tests read the same files a person edits.
enum PlaybookFiles {
    static let testsDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let repoRoot = testsDir.deletingLastPathComponent().deletingLastPathComponent()
    static let playbooksDir = repoRoot.appendingPathComponent("Playbooks")
    static let fixturesDir = testsDir.appendingPathComponent("Fixtures/playbooks")

    static func shipped(_ name: String) throws -> String {
        try String(contentsOf: playbooksDir.appendingPathComponent("\(name).yaml"), encoding: .utf8)
    }

    static func fixture(_ name: String) throws -> String {
        try String(contentsOf: fixturesDir.appendingPathComponent(name), encoding: .utf8)
    }
}
