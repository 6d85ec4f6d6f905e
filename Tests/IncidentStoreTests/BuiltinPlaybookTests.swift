import Foundation
import IncidentCore
import Testing

@testable import IncidentStore

/// The repository's Playbooks directory, found from this file's path.
let playbooksDir: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.appendingPathComponent("Playbooks").path
}()

@Suite("Built-in playbooks")
struct BuiltinPlaybookTests {
    static var shippedNames: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: playbooksDir)) ?? [])
            .filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
    }

    @Test("built-in playbooks match Playbooks/*.yaml byte for byte (else run scripts/gen-builtin-playbooks.sh)")
    func builtinCopiesMatchFiles() throws {
        let names = Self.shippedNames
        #expect(names.count >= 3)
        #expect(BuiltinPlaybooks.yaml.keys.sorted() == names)
        for name in names {
            let file = try String(contentsOfFile: playbooksDir + "/" + name + ".yaml", encoding: .utf8)
            #expect(BuiltinPlaybooks.yaml[name] == file, "\(name) differs from Playbooks/\(name).yaml")
        }
    }

    @Test func builtinCopiesLoadWithoutAnyDirectory() throws {
        let loc = PlaybookLocator(searchDirs: [])
        #expect(loc.available() == Self.shippedNames)
        for name in Self.shippedNames {
            let l = try loc.load(name)
            #expect(l.playbook.name == name)
            #expect(l.path == PlaybookLocator.builtinLabel(name))
            #expect(l.yaml == BuiltinPlaybooks.yaml[name])
        }
    }

    @Test func searchOrderIsUserThenPackageThenBuiltIn() throws {
        let d = tempDir()
        let user = d + "/user", pkg = d + "/pkg"
        for dir in [user, pkg] { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        let original = try #require(BuiltinPlaybooks.yaml["sip-trunk-failover"])
        func titled(_ t: String) -> String { original.replacingOccurrences(of: "title: SIP trunk failover", with: "title: \(t)") }
        #expect(titled("x") != original, "the fixture edit must change the text")
        let loc = PlaybookLocator(searchDirs: [user, pkg])

        #expect(try loc.load("sip-trunk-failover").path == PlaybookLocator.builtinLabel("sip-trunk-failover"))
        try titled("From the package").write(toFile: pkg + "/sip-trunk-failover.yaml", atomically: true, encoding: .utf8)
        #expect(try loc.load("sip-trunk-failover").playbook.title == "From the package")
        try titled("From the user").write(toFile: user + "/sip-trunk-failover.yaml", atomically: true, encoding: .utf8)
        #expect(try loc.load("sip-trunk-failover").playbook.title == "From the user")
        #expect(try loc.read("sip-trunk-failover").path == user + "/sip-trunk-failover.yaml")

        // A team's own playbook joins the list; names are not repeated.
        try titled("Extra").replacingOccurrences(of: "name: sip-trunk-failover", with: "name: extra")
            .write(toFile: user + "/extra.yaml", atomically: true, encoding: .utf8)
        #expect(loc.available() == (Self.shippedNames + ["extra"]).sorted())

        // Without built-ins, the old "not found" remains and names where it looked.
        let bare = PlaybookLocator(searchDirs: [pkg], builtins: [:])
        #expect(throws: StoreError.playbookNotFound(name: "voice-agent", searched: [pkg], builtins: [])) { try bare.load("voice-agent") }
    }

    @Test func standardLocatorStillPrefersTheEnvironmentAndConfigDirs() {
        let env = DialtoneEnvironment(env: ["HOME": "/h", "XDG_CONFIG_HOME": "/cfg", "DIALTONE_PLAYBOOKS": "/team"])
        let loc = PlaybookLocator.standard(env)
        #expect(Array(loc.searchDirs.prefix(2)) == ["/team", "/cfg/dialtone/playbooks"])
        #expect(loc.builtins == BuiltinPlaybooks.yaml)
    }
}

/// The thresholds overlay in the locator's overlay directory is read over the playbook, and an
/// incident keeps its snapshot beside the playbook's, so every console of it sees the same lines.
@Suite("Thresholds overlays")
struct ThresholdsOverlayTests {
    static let overlay = "metrics:\n  - id: ttft_p95_ms\n    warning: 328\n    critical: 546\n"

    @Test func theLocatorReadsTheOverlayOverThePlaybook() throws {
        let dir = NSTemporaryDirectory() + "overlay-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var loc = PlaybookLocator(searchDirs: [], overlayDir: dir)
        let plain = try loc.load("voice-agent")
        #expect(plain.overlay == nil)
        #expect(plain.playbook.metrics.first { $0.id == "ttft_p95_ms" }?.warning == 300)
        try Self.overlay.write(toFile: dir + "/voice-agent.yaml", atomically: true, encoding: .utf8)
        let over = try loc.load("voice-agent")
        #expect(over.overlay?.path == dir + "/voice-agent.yaml")
        #expect(over.playbook.metrics.first { $0.id == "ttft_p95_ms" }?.warning == 328)
        #expect(over.yaml == plain.yaml, "the playbook's own text is unchanged")
        // A playbook by path gets its name's overlay too; a broken overlay stops the load.
        try "metrics:\n  - id: nope\n    warning: 1\n    critical: 2\n".write(toFile: dir + "/voice-agent.yaml", atomically: true, encoding: .utf8)
        #expect(throws: StoreError.self) { try loc.load(playbooksDir + "/voice-agent.yaml") }
        loc.overlayDir = nil
        #expect(try loc.load("voice-agent").overlay == nil)
        #expect(loc.overlayPath(for: "../etc") == nil)
    }

    @Test func anIncidentKeepsItsOverlay() throws {
        let dir = NSTemporaryDirectory() + "overlay-store-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let base = try PlaybookLoader.load(yaml: BuiltinPlaybooks.yaml["voice-agent"]!, file: "voice-agent.yaml")
        let pb = try PlaybookOverlay.apply(yaml: Self.overlay, file: "o.yaml", to: base)
        let store = IncidentStore(root: dir)
        var rng = SystemRandomNumberGenerator()
        let id = try store.create(
            title: "Overlay kept", severity: 2, playbook: pb, playbookYAML: BuiltinPlaybooks.yaml["voice-agent"]!,
            overlayYAML: Self.overlay, sources: [], actor: "alice", rng: &rng)
        #expect(FileManager.default.fileExists(atPath: store.directory(of: id) + "/" + IncidentStore.overlayFile))
        let loaded = try IncidentStore(root: dir).load(id)
        #expect(loaded.playbook.metrics.first { $0.id == "ttft_p95_ms" }?.warning == 328)
    }
}
