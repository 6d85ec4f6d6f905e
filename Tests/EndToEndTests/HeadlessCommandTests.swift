import Foundation
import IncidentCore
import Testing

@Suite("Headless commands, through the real binary")
struct HeadlessCommandTests {
    @Test func fullIncidentFromTheCommandLine() throws {
        let cli = CLI()
        let created = try cli.run(["new", "SIP trunk 503s on carrier A", "--sev", "2"])
        #expect(created.status == 0, "\(created.stderr)")
        let id = created.lastLine
        #expect(id.hasSuffix("-sip-trunk-503s-on"))
        #expect(try cli.run(["note", "first look: ASR 71%"]).status == 0)
        #expect(try cli.run(["note", String(id.prefix(12)), "with an id prefix"]).status == 0)
        #expect(try cli.run(["note", "sip-trunk", "with a slug prefix"]).status == 0)
        #expect(try cli.run(["role", "ic", "bob"]).status == 0)
        #expect(try cli.run(["accept", "--as", "bob"]).status == 0)
        #expect(try cli.run(["milestone", "detected", "--at", "-5m"]).status == 0)
        #expect(try cli.run(["milestone", "root_cause_identified", "--stack", "telephony"]).status == 0)
        #expect(try cli.run(["tick", "telephony.sip-registration"]).status == 0)
        #expect(try cli.run(["tick", "telephony.network", "--skip", "--reason", "carrier confirmed"]).status == 0)
        #expect(try cli.run(["answer", "can-calls-connect", "no"]).status == 0)
        #expect(try cli.run(["change", "rotated SIP credentials", "--at", "-20m"]).status == 0)
        #expect(try cli.run(["action", "alert on ASR < 90%", "--owner", "alice", "--type", "detective"]).status == 0)
        #expect(try cli.run(["status", "monitoring", "--message", "traffic moved to carrier B"]).status == 0)
        #expect(try cli.run(["status", id, "resolved"]).status == 0)

        let tl = try cli.run(["timeline", id, "--json"])
        let lines = tl.stdout.split(separator: "\n")
        #expect(lines.count == 15)
        // --json prints the events exactly as journaled (merged from both logins' segments).
        #expect(lines.sorted() == (try cli.journal(id)).split(separator: "\n").sorted())
        let kinds = lines.compactMap { try? JournalCodec.decode($0).kind.rawValue }
        #expect(kinds.first == "opened")
        #expect(kinds.contains("role_accepted") && kinds.contains("item_skipped") && kinds.contains("decision_answered"))
        let bob = lines.compactMap { try? JournalCodec.decode($0) }.first { $0.kind == .roleAccepted }
        #expect(bob?.actor == "bob")

        let human = try cli.run(["timeline"])  // resolved: falls back to the latest incident
        #expect(human.status == 0)
        #expect(human.stdout.contains("Decision tree: Can calls connect at all? → NO"))

        let list = try cli.run(["list", "--all", "--json"])
        #expect(list.stdout.contains("\"status\":\"resolved\""))
        #expect(try cli.run(["list"]).stdout.contains("no open incidents"))

        let out = cli.dir + "/pm.md"
        let ex = try cli.run(["export", id, "-o", out])
        #expect(ex.status == 0, "\(ex.stderr)")
        let md = try String(contentsOfFile: out, encoding: .utf8)
        #expect(md.hasPrefix("# Incident summary: SIP trunk 503s on carrier A"))
        #expect(md.contains("| Root cause stack | Telephony |"))
    }

    @Test(arguments: [
        (["sev", "7"], "severity: 7 is not one of"),
        (["status", "identified", "--reason", "x"], nil as String?),
        (["status", "investigating"], "needs --reason"),
        (["status", "exploded"], "is not one of"),
        (["tick", "no.such.item"], "not in playbook"),
        (["answer", "no-such-node", "yes"], "unknown decision node"),
        (["answer", "can-calls-connect", "maybe"], "is not yes or no"),
        (["milestone", "lunch"], "is not one of"),
        (["milestone", "mitigated", "--at", "tomorrow"], "is not a time"),
        (["note", "nope-no-such-id", "text"], "no incident matches"),
        (["role", "janitor", "bob"], "unknown role"),
        (["accept"], "no role offer is pending"),
    ])
    func badInputGetsOneLineErrorAndWritesNothing(args: [String], expected: String?) throws {
        let cli = CLI()
        let id = try cli.run(["new", "Bad input", "--sev", "3"]).lastLine
        if expected == nil {
            // Setup step for the status-back case: move forward first.
            #expect(try cli.run(args).status == 0)
            return
        }
        try cli.run(["status", "identified"])
        let before = try cli.journal(id)
        let r = try cli.run(args)
        #expect(r.status != 0)
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(r.stderr.contains(expected!), "\(r.stderr)")
        #expect(try cli.journal(id) == before)
    }

    @Test func journalFilesAreGroupSharedNeverWorldReadable() throws {
        let cli = CLI()
        let id = try cli.run(["new", "Perms"]).lastLine
        let dirAttrs = try FileManager.default.attributesOfItem(atPath: cli.dir + "/incidents/" + id)
        let segDir = try FileManager.default.attributesOfItem(atPath: cli.dir + "/incidents/" + id + "/journal.d")
        let fileAttrs = try FileManager.default.attributesOfItem(atPath: cli.segmentPath(id))
        #expect((dirAttrs[.posixPermissions] as! Int) & 0o7777 == 0o3770)
        #expect((segDir[.posixPermissions] as! Int) & 0o7777 == 0o3770)  // setgid and sticky
        #expect((fileAttrs[.posixPermissions] as! Int) & 0o777 == 0o640)  // the owner alone writes it
    }

    @Test func playbookCheckAndShow() throws {
        let cli = CLI()
        for name in ["voice-agent", "launch-readiness", "sip-trunk-failover"] {
            let r = try cli.run(["playbook", "check", CLI.packageRoot.appendingPathComponent("Playbooks/\(name).yaml").path])
            #expect(r.status == 0, "\(r.stdout)")
        }
        let bad = cli.dir + "/bad.yaml"
        try "name: x\ntitle: y\nbogus_key: 1\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let r = try cli.run(["playbook", "check", bad])
        #expect(r.status != 0)
        #expect(r.stdout.contains("\(bad):3:1:"), "\(r.stdout)")
        let show = try cli.run(["playbook", "show"])
        #expect(show.stdout.contains("Telephony") && show.stdout.contains("answer_seizure_ratio"))
    }

    @Test func concurrentAppendsFromEightProcesses() throws {
        let cli = CLI()
        let id = try cli.run(["new", "Concurrency"]).lastLine
        let procs = try (0..<8).map { i in try cli.start(["debug-append", id, "--count", "200", "--tag", "p\(i)"]) }
        var reported: Set<String> = []
        for (p, pipe) in procs {
            let out = pipe.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            #expect(p.terminationStatus == 0)
            reported.formUnion(String(decoding: out, as: UTF8.self).split(separator: "\n").map(String.init))
        }
        let (events, problems) = JournalCodec.decodeAll(try cli.journal(id))
        #expect(problems.isEmpty)
        #expect(events.count == 1 + 8 * 200)
        let ids = events.map(\.id)
        #expect(Set(ids).count == ids.count)
        #expect(reported.isSubset(of: Set(ids)) && reported.count == 1600)
        for i in 0..<8 {
            let mine = events.compactMap { $0.text("text") }.filter { $0.hasPrefix("p\(i)-") }
            #expect(mine == (0..<200).map { "p\(i)-\($0)" })  // each writer's order preserved
        }
    }

    @Test func tornLastLineIsSkippedAndCutOffByTheNextAppend() throws {
        let cli = CLI()
        let id = try cli.run(["new", "Torn"]).lastLine
        try cli.run(["note", "before the crash"])
        let path = cli.segmentPath(id)
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        h.seekToEndOfFile()
        h.write(Data(#"{"v":1,"id":"01TORN","recorded_at":"2026-11-"#.utf8))
        try h.close()
        let tl = try cli.run(["timeline", id])
        #expect(tl.status == 0)
        #expect(tl.stderr.contains("\(NSUserName())/journal.jsonl:3: incomplete last line"), "\(tl.stderr)")
        #expect(try cli.run(["note", id, "after the crash"]).status == 0)
        let (events, problems) = JournalCodec.decodeAll(try cli.journal(id))
        #expect(events.compactMap { $0.text("text") } == ["before the crash", "after the crash"])
        #expect(problems.isEmpty, "the fragment was cut off: \(problems)")
    }
}
