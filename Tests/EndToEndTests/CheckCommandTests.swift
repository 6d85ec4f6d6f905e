import Foundation
import Testing

/// `dialtone check` on the real binary: the result journaled by the person who ran it, a pass
/// ticking the item when asked, secrets kept out, a foreign playbook refused.
@Suite("Headless checks")
struct CheckCommandTests {
    @Test func aCheckIsJournaledAndAPassTicks() throws {
        var cli = CLI()
        let id = try cli.run(["new", "Check drill", "--sev", "2"]).lastLine
        cli.env["SIP_DOMAIN"] = "localhost"
        let pass = try cli.run(["check", "sip-dns", "--tick"])
        #expect(pass.status == 0, "\(pass.stdout)\(pass.stderr)")
        #expect(pass.stdout.contains("running getent hosts localhost"))
        cli.env["SIP_DOMAIN"] = "no-such-host.invalid"
        let fail = try cli.run(["check", "telephony.sip-dns"])
        #expect(fail.status == 1)
        let timeline = try cli.run(["timeline", "--json", id]).stdout
        let runs = timeline.split(separator: "\n").filter { $0.contains(#""kind":"check_run""#) }
        #expect(runs.count == 2)
        #expect(runs.first?.contains(#""result":"passed""#) == true)
        #expect(runs.last?.contains(#""result":"failed""#) == true)
        #expect(timeline.contains(#""kind":"item_ticked""#))
        #expect(try cli.run(["export", id]).stdout.contains("Check telephony.sip-dns passed"))
    }

    @Test func secretsNeverReachTheJournalAndUnsetVariablesRefuse() throws {
        var cli = CLI()
        let id = try cli.run(["new", "Check drill", "--sev", "3"]).lastLine
        let unset = try cli.run(["check", "intelligence.endpoint"])
        #expect(unset.status != 0)
        #expect(unset.stderr.contains("${LLM_API_KEY} is not set"))
        let key = "sk-live-abcdefghijklmnopqrstuvwx"
        cli.env["LLM_API_KEY"] = key
        cli.env["LLM_HEALTH_URL"] = "http://127.0.0.1:9/v1/models"
        let r = try cli.run(["check", "intelligence.endpoint"])
        #expect(r.status == 1)
        #expect(!r.stdout.contains(key))
        let journal = try cli.run(["timeline", "--json", id]).stdout
        #expect(journal.contains("check_run"))
        #expect(!journal.contains(key))
    }

    @Test func aPlaybookOtherThanTheSnapshotIsRefused() throws {
        let cli = CLI()
        _ = try cli.run(["new", "Check drill", "--sev", "3"])
        let other = cli.dir + "/other.yaml"
        try "name: other\ntitle: Other\n".write(toFile: other, atomically: true, encoding: .utf8)
        let r = try cli.run(["check", "sip-dns", "--playbook", other])
        #expect(r.status != 0)
        #expect(r.stderr.contains("is not this incident's playbook snapshot"))
    }
}
