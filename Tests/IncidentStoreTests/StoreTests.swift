import Foundation
import IncidentCore
import Testing

@testable import IncidentStore

func tempDir() -> String {
    let d = NSTemporaryDirectory() + "dialtone-store-" + UUID().uuidString
    try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
    return d
}

func shippedPlaybook() throws -> (Playbook, String) {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let loc = PlaybookLocator(searchDirs: [root.appendingPathComponent("Playbooks").path])
    let l = try loc.load("voice-agent")
    return (l.playbook, l.yaml)
}

@Suite("Incident store and environment")
struct StoreTests {
    @Test func incidentsDirPrecedence() throws {
        let d = tempDir()
        try FileManager.default.createDirectory(atPath: d + "/cfg/dialtone", withIntermediateDirectories: true)
        try "incidents_dir: /srv/from-config\n".write(toFile: d + "/cfg/dialtone/config.yaml", atomically: true, encoding: .utf8)
        var env = DialtoneEnvironment(env: ["HOME": d, "XDG_CONFIG_HOME": d + "/cfg", "XDG_STATE_HOME": d + "/state"])
        #expect(try env.incidentsDir(flag: nil) == "/srv/from-config")
        #expect(try env.incidentsDir(flag: "/flag") == "/flag")
        env.env["DIALTONE_DIR"] = "/from-env"
        #expect(try env.incidentsDir(flag: nil) == "/from-env")
        env = DialtoneEnvironment(env: ["HOME": d, "XDG_STATE_HOME": d + "/state"])
        #expect(try env.incidentsDir(flag: nil) == d + "/state/dialtone/incidents")
    }

    @Test func badConfigNamesFileAndLine() {
        let error = #expect(throws: StoreError.self) { try Config.parse("theme: dark\nincidents_dirr: /x\n", file: "c.yaml") }
        guard case .config(file: "c.yaml", line: 2, let reason)? = error else {
            Issue.record("not a config error at c.yaml:2: \(String(describing: error))")
            return
        }
        #expect(reason.hasPrefix("unknown key \"incidents_dirr\""))
        #expect(error?.description.hasPrefix("c.yaml:2: unknown key \"incidents_dirr\"") == true)
        #expect((try? Config.parse("keys:\n  quit: Q\n", file: "c.yaml"))?.keys == ["quit": "Q"])
    }

    @Test func createRecordResolveAndLoad() throws {
        let store = IncidentStore(root: tempDir() + "/incidents")
        let (pb, yaml) = try shippedPlaybook()
        // A generator with state: ThreadSanitizer's access checks crash on the made-up address
        // of a zero-sized value passed inout (SystemRandomNumberGenerator has no stored state).
        var rng = SeededRandom(seed: 7)
        let now = Timestamp(year: 2026, month: 11, day: 21, hour: 3)
        let a = try store.create(
            title: "SIP trunk 503s", severity: 2, playbook: pb, playbookYAML: yaml, sources: ["/var/log/x"], actor: "alice", now: now, rng: &rng)
        let b = try store.create(title: "SIP trunk 503s", severity: 2, playbook: pb, playbookYAML: yaml, sources: [], actor: "alice", now: now, rng: &rng)
        #expect(a == "20261121-sip-trunk-503s")
        #expect(b == "20261121-sip-trunk-503s-2")
        #expect(throws: StoreError.ambiguous(typed: nil, matches: [a, b])) { try store.resolve(nil) }  // two open
        #expect(try store.resolve("20261121-sip-trunk-503s-2") == b)
        #expect(throws: StoreError.ambiguous(typed: "sip", matches: [a, b])) { try store.resolve("sip") }
        #expect(throws: StoreError.noMatch(typed: "zzz", root: store.root)) { try store.resolve("zzz") }
        let e = try store.record(.note("hello"), in: a, actor: "bob", now: now, rng: &rng)
        #expect(e.kind == .note)
        #expect(throws: StoreError.refused(.refused(field: "severity", reason: "9 is not one of 1, 2, 3, 4"))) {
            try store.record(.severity(9, reason: nil), in: a, actor: "bob", now: now, rng: &rng)
        }
        let loaded = try store.load(a)
        #expect(loaded.state.events.count == 2)
        #expect(loaded.state.sources == ["/var/log/x"])
        #expect(loaded.playbook.name == "voice-agent")
        // The snapshot, not the current playbook file, defines the incident.
        #expect(try String(contentsOfFile: store.directory(of: a) + "/playbook.yaml", encoding: .utf8) == yaml)
        // Bad input writes nothing, not even a directory.
        #expect(throws: StoreError.refused(.refused(field: "title", reason: "must not be empty"))) {
            try store.create(title: "  ", severity: nil, playbook: pb, playbookYAML: yaml, sources: [], actor: "a", now: now, rng: &rng)
        }
        #expect(store.ids().count == 2)
    }

    @Test func warroomDirectoryIsSetgidAndGroupShared() throws {
        let d = tempDir() + "/war/room"
        let advice = try Warroom.setup(dir: d, group: geteuid() == 0 ? "nogroup" : nil)
        var st = stat()
        stat(d, &st)
        #expect(st.st_mode & 0o7777 == 0o3770)
        if geteuid() == 0 { #expect(getgrgid(st.st_gid).map { String(cString: $0.pointee.gr_name) } == "nogroup") }
        #expect(advice.contains { $0.contains("DIALTONE_DIR=\(d)") })
        #expect(throws: StoreError.noSuchGroup("no-such-group-xyz")) { try Warroom.setup(dir: d, group: "no-such-group-xyz") }
    }

    /// A fragment left by a writer killed mid-append is cut off by the next append (it was
    /// never reported as recorded); whole events before it stay byte for byte.
    @Test func appendCutsOffATornFragment() throws {
        let path = tempDir() + "/journal.jsonl"
        let good = JournalCodec.encode(
            JournalEvent(id: "01JD0000000000000000000000", recordedAt: Timestamp(ms: 0), actor: "a", kind: .note, payload: ["text": .string("kept")]))
        try (good + "\n{\"v\":1,\"torn").write(toFile: path, atomically: false, encoding: .utf8)
        try JournalFile(path: path).append(["{\"a\":1}"])
        #expect(try String(contentsOfFile: path, encoding: .utf8) == good + "\n{\"a\":1}\n")
    }

    /// A last line that is a whole event without its newline (edited by hand) is kept.
    @Test func appendEndsAWholeLastEventFirst() throws {
        let path = tempDir() + "/journal.jsonl"
        let good = JournalCodec.encode(
            JournalEvent(id: "01JD0000000000000000000000", recordedAt: Timestamp(ms: 0), actor: "a", kind: .note, payload: ["text": .string("kept")]))
        try good.write(toFile: path, atomically: false, encoding: .utf8)
        try JournalFile(path: path).append(["{\"a\":1}"])
        #expect(try String(contentsOfFile: path, encoding: .utf8) == good + "\n{\"a\":1}\n")
    }
}
