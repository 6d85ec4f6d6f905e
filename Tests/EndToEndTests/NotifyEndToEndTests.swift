import Foundation
import IncidentCore
import Testing

/// Runs Tests/NotifyTests/Fakes/fake_vendors.py for the real binary to talk to.
final class VendorFakes {
    let process = Process()
    let port: Int
    var base: String { "http://127.0.0.1:\(port)" }

    init() throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", CLI.packageRoot.appendingPathComponent("Tests/NotifyTests/Fakes/fake_vendors.py").path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = ""
        while !line.hasSuffix("\n") {
            let d = out.fileHandleForReading.readData(ofLength: 1)
            if d.isEmpty { break }
            line += String(decoding: d, as: UTF8.self)
        }
        port = Int(line.dropFirst(5).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    deinit { kill(process.processIdentifier, SIGKILL) }

    func curl(_ args: [String]) -> String {
        (try? CLI.runProcess("/usr/bin/curl", ["-s", "-m", "5"] + args, env: nil).stdout) ?? ""
    }

    func json(_ path: String) -> Any? { try? JSONSerialization.jsonObject(with: Data(curl([base + path]).utf8)) }
    func script(_ steps: String) { _ = curl(["-X", "POST", "-d", steps, base + "/_script"]) }
    var state: [String: Any] { json("/_state") as? [String: Any] ?? [:] }
    func requests(_ prefix: String) -> [[String: Any]] {
        ((json("/_log") as? [[String: Any]]) ?? []).filter { ($0["path"] as? String ?? "").hasPrefix(prefix) }
    }

    /// Writes the config and secret files a team would, pointing every channel here.
    func configure(_ cli: CLI, spKey: String = "sp-key", timeout: Int = 20) throws {
        let cfgDir = cli.env["XDG_CONFIG_HOME"]! + "/dialtone"
        try FileManager.default.createDirectory(atPath: cfgDir, withIntermediateDirectories: true)
        try "https://hooks.slack.com/services/T1/B1/hooksecret\n".write(toFile: cli.dir + "/slack-webhook", atomically: true, encoding: .utf8)
        try "PDKEY0123\n".write(toFile: cli.dir + "/pd-key", atomically: true, encoding: .utf8)
        try "\(spKey)\n".write(toFile: cli.dir + "/sp-key", atomically: true, encoding: .utf8)
        try "ghtoken\n".write(toFile: cli.dir + "/gh-token", atomically: true, encoding: .utf8)
        try """
        notify:
          timeout: 30
          channels:
            incidents-slack: {type: slack, url_file: \(cli.dir)/slack-webhook, url: "\(base)", timeout: "\(timeout)"}
            oncall: {type: pagerduty, routing_key_file: \(cli.dir)/pd-key, url: "\(base)", timeout: "\(timeout)"}
            status: {type: statuspage, page_id: abc123, api_key_file: \(cli.dir)/sp-key, url: "\(base)", timeout: "\(timeout)"}
            tracker: {type: github, repo: acme/voice, token_file: \(cli.dir)/gh-token, url: "\(base)"}
          rules:
            - {kinds: [status_update, severity, status, role], to: [incidents-slack]}
            - {kinds: [status_update], to: [status]}
            - {kinds: [declared, severity, accepted, resolved, change], to: [oncall]}

        """.write(toFile: cfgDir + "/config.yaml", atomically: true, encoding: .utf8)
    }
}

@Suite("Notifications and action items through the real binary", .serialized)
struct NotifyEndToEndTests {
    /// Waits until `cond` holds (polling), up to `seconds`.
    func waitFor(_ seconds: Double, _ cond: () -> Bool) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if cond() { return true }
            usleep(100_000)
        }
        return cond()
    }

    @Test func headlessCommandsDeliverAndAKillMidSendNeverDoublePosts() throws {
        let fake = try VendorFakes()
        let cli = CLI()
        try fake.configure(cli)
        let created = try cli.run(["new", "Calls failing on carrier A", "--sev", "1"])
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.contains("paged PagerDuty (trigger) [oncall]"))
        let id = created.lastLine

        // Statuspage makes the incident and then never answers in time; the sender is killed.
        fake.script(#"[{"prefix": "/v1/pages/abc123/incidents", "process": true, "hang": 60}]"#)
        let (p, _) = try cli.start(["update", "We are investigating failed calls on carrier A"])
        #expect(waitFor(20) { !fake.requests("/v1/pages/abc123/incidents").isEmpty })
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        #expect(fake.requests("/services/T1/B1/hooksecret").count == 1)  // Slack went first

        let send = try cli.run(["notify", "send"])
        #expect(send.status == 0, "\(send.stderr)")
        #expect(send.stdout.contains("Statuspage incident created (found after an interrupted send) [status]"), "\(send.stdout)")
        #expect((fake.state["sp_incidents"] as? [Any])?.count == 1)

        // PagerDuty takes the resolve and its answer is lost with the process: the resend
        // carries the same dedup key, so there is still one alert.
        fake.script(#"[{"prefix": "/v2/enqueue", "process": true, "hang": 60}]"#)
        let (q, _) = try cli.start(["status", id, "resolved"])
        #expect(waitFor(20) { fake.requests("/v2/enqueue").count == 2 })
        kill(q.processIdentifier, SIGKILL)
        q.waitUntilExit()
        let again = try cli.run(["notify", "send", id])
        #expect(again.stdout.contains("PagerDuty alert resolved [oncall]"), "\(again.stdout)")
        let pd = fake.requests("/v2/enqueue")
        #expect(pd.count == 3)
        #expect(Set(pd.compactMap { ($0["body"] as? [String: Any])?["dedup_key"] as? String }) == ["dialtone-" + id])
        let alerts = fake.state["pd_alerts"] as? [String: [String: Any]]
        #expect(alerts?.count == 1)
        #expect(alerts?["dialtone-" + id]?["status"] as? String == "resolved")

        // The timeline shows what the world was told; no secret reached the journal.
        let tl = try cli.run(["timeline", id])
        #expect(tl.stdout.contains("posted to Slack [incidents-slack]"))
        let journal = try cli.journal(id)
        #expect(!journal.contains("hooksecret") && !journal.contains("PDKEY0123") && !journal.contains("sp-key"))
        #expect(try cli.run(["notify", "queue", id]).stdout.contains("outbox empty"))
    }

    @Test func notifyTestPrintsTheResultAndA401IsOneLine() throws {
        let fake = try VendorFakes()
        let cli = CLI()
        try fake.configure(cli, spKey: "wrong")
        let ok = try cli.run(["notify", "test", "incidents-slack"])
        #expect(ok.status == 0)
        #expect(ok.stdout == "incidents-slack: posted a test message to Slack (200 OK)\n")
        let bad = try cli.run(["notify", "test", "status"])
        #expect(bad.status == 1)
        #expect(bad.stderr == "dialtone: error: status: Statuspage read failed: 401 Unauthorized (Could not authenticate), will not retry\n")
        let none = try cli.run(["notify", "test", "nope"])
        #expect(none.stderr.contains("no channel \"nope\" (configured: incidents-slack, oncall, status, tracker)"))
    }

    @Test func actionItemsBecomeIssuesOnceEach() throws {
        let fake = try VendorFakes()
        let cli = CLI()
        try fake.configure(cli)
        let id = try cli.run(["new", "TTS voice missing", "--sev", "3"]).lastLine
        #expect(try cli.run(["action", "alert on TTS 4xx > 1%", "--owner", "alice", "--type", "detective"]).status == 0)
        #expect(try cli.run(["note", "TODO: pin the voice id in config"]).status == 0)
        let first = try cli.run(["actions", "export", "--to", "github"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.components(separatedBy: "GitHub issue created: \(fake.base)/acme/voice/issues/").count == 3)
        let second = try cli.run(["actions", "export", id, "--to", "github"])
        #expect(second.stdout.components(separatedBy: "already exported").count == 3)
        let issues = fake.state["gh_issues"] as? [[String: Any]]
        #expect(issues?.count == 2)
        let body = issues?.first?["body"] as? String ?? ""
        #expect(body.contains("Owner: alice") && body.contains("Type: detective") && body.contains(id))
        #expect(try cli.run(["timeline", id]).stdout.contains("GitHub issue created (\(fake.base)/acme/voice/issues/1)"))
        let jira = try cli.run(["actions", "export", "--to", "jira"])
        #expect(jira.status == 1)
        #expect(jira.stderr.contains("no github or jira channel of that name or type"))
    }

    /// The writer console sends what a headless command queued, and the result lands in its
    /// timeline; joining shows the read-in first and Esc closes it.
    @Test(.enabled(if: Tmux.available)) func theWriterConsoleSendsAndTheTimelineShowsIt() throws {
        let fake = try VendorFakes()
        let cli = CLI()
        try fake.configure(cli)
        let id = try cli.run(["new", "Dead air after dialing", "--sev", "3"]).lastLine
        #expect(try cli.run(["change", "deployed agent v42"]).status == 0)
        let tmux = Tmux(env: cli.terminalEnv)
        defer { _ = try? tmux.run(["kill-server"]) }
        try tmux.run(["new-session", "-d", "-x", "120", "-y", "40", "-s", tmux.session, cli.paneCommand(["console", id])])
        var screen = try tmux.wait("the read-in and the writer lock") { $0.contains("Read-in: where this incident stands") && $0.contains("│ writer") }
        #expect(screen.contains("Dead air after dialing (\(id))"))
        try tmux.keys("j", "j", "j", "j", "j")
        screen = try tmux.wait("the read-in scrolled to its end") { $0.contains("deployed agent v42") }
        try tmux.keys("Escape")
        _ = try tmux.wait("the log pane back") { !$0.contains("Read-in") }
        let queued = try cli.run(["update", "Some calls hear dead air; rolling back v42"])
        #expect(queued.stdout.contains("notification(s) queued for the writer console"), "\(queued.stdout)")
        screen = try tmux.wait("the console's delivery in the timeline") { $0.contains("Statuspage incident created") }
        #expect(screen.contains("dialtone: posted to Slack [incidents-slack]"))
        #expect(fake.requests("/v1/pages/abc123/incidents").count == 1)
    }
}
