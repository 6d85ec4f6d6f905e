import Foundation
import IncidentCore
import IncidentStore
import Notify
import Testing

/// The outbox sender against local fakes of each API (Fakes/fake_vendors.py).
@Suite("notify: delivery against local fakes", .serialized)
struct DeliveryTests {
    static func config(_ base: String, timeout: Double = 5) throws -> NotifyConfig {
        try #require(
            try NotifyConfig.parse(
                yaml: """
                    notify:
                      channels:
                        slack: {type: slack, url_env: SLACK_URL, url: "\(base)", timeout: "\(timeout)"}
                        oncall: {type: pagerduty, routing_key_env: PD_KEY, url: "\(base)", timeout: "\(timeout)"}
                        status: {type: statuspage, page_id: pg1, api_key_env: SP_KEY, url: "\(base)", timeout: "\(timeout)"}
                        hook: {type: webhook, url: "\(base)/hook", timeout: "\(timeout)"}
                      rules:
                        - {kinds: [status_update, severity, status, role], to: [slack]}
                        - {kinds: [status_update, status, resolved], to: [status]}
                        - {kinds: [declared, severity, accepted, resolved, change], to: [oncall]}
                        - {kinds: [note], to: [hook]}
                    """, file: "test.yaml"))
    }
    static let env = ["SLACK_URL": "https://hooks.slack.com/services/T0/B0/secretpart", "PD_KEY": "R0UTINGKEY", "SP_KEY": "sp-key"]

    func queue(_ bed: TestBed, _ e: JournalEvent, _ cfg: NotifyConfig) throws {
        try OutboxSender.enqueue(e, store: bed.store, id: bed.id, config: cfg, now: bed.now)
    }

    @Test func aWholeIncidentReachesEachAPIInItsDocumentedShape() throws {
        let fake = try FakeVendors()
        let bed = try TestBed()
        let cfg = try Self.config(fake.base)
        let sender = bed.sender(cfg, env: Self.env)
        let opened = try bed.store.load(bed.id).state.events[0]
        try queue(bed, opened, cfg)
        try queue(bed, try bed.record(.statusUpdate("Calls to carrier A fail; moving traffic to carrier B")), cfg)
        try queue(bed, try bed.record(.statusUpdate("Traffic on carrier B; watching")), cfg)
        try queue(bed, try bed.record(.change("rotated SIP credentials", at: nil)), cfg)
        try queue(bed, try bed.record(.note("password=hunter2 seen in the log")), cfg)
        try queue(bed, try bed.record(.status(.resolved, message: "All calls connect again", reason: nil)), cfg)
        let results = sender.drain()
        #expect(results.allSatisfy { $0.ok }, "\(results.map(\.detail))")

        // Slack: the webhook path kept, text plus blocks.
        let slack = fake.requests("/services/")
        #expect(slack.count == 3)
        #expect(slack.first?["path"]?.string == "/services/T0/B0/secretpart")
        #expect(slack.first?["body"]?["text"]?.string?.contains("[SEV-2] Calls failing on carrier A") == true)
        #expect(slack.first?["body"]?["blocks"]?.array?.first?["type"]?.string == "section")

        // PagerDuty: trigger then resolve on one dedup key; the change to the change endpoint.
        let pd = fake.requests("/v2/enqueue")
        #expect(pd.map { $0["body"]?["event_action"]?.string ?? "" } == ["trigger", "resolve"])
        #expect(Set(pd.map { $0["body"]?["dedup_key"]?.string ?? "" }) == ["dialtone-" + bed.id])
        #expect(pd.first?["body"]?["routing_key"]?.string == "R0UTINGKEY")
        #expect(pd.first?["body"]?["payload"]?["severity"]?.string == "error")
        #expect(fake.requests("/v2/change/enqueue").count == 1)
        #expect(fake.state["pd_alerts"]?["dialtone-" + bed.id]?["status"]?.string == "resolved")

        // Statuspage: created at the first update, updated at the next, resolved at the end.
        let sp = fake.requests("/v1/pages/pg1/incidents")
        #expect(sp.map { $0["method"]?.string ?? "" } == ["POST", "PATCH", "PATCH"])
        #expect(sp[0]["body"]?["incident"]?["impact_override"]?.string == "major")
        #expect(sp[0]["headers"]?["authorization"]?.string == "OAuth sp-key")
        #expect(sp[2]["body"]?["incident"]?["status"]?.string == "resolved")
        #expect(fake.state["sp_incidents"]?.array?.count == 1)

        // The webhook gets the event redacted, with a stable idempotency key.
        let hook = try #require(fake.requests("/hook").first)
        #expect(hook["body"]?["event"]?["text"]?.string == "password=[REDACTED] seen in the log")
        #expect(hook["headers"]?["idempotency-key"]?.string?.hasPrefix("dialtone-" + bed.id) == true)

        // Each result journaled; secrets never are.
        let journal = try bed.store.load(bed.id).state.events(.outbound)
        let details = journal.compactMap { $0.text("detail") }
        #expect(details.contains("posted to Slack"))
        #expect(details.contains("Statuspage incident created"))
        #expect(details.contains("paged PagerDuty (trigger)"))
        let text = journal.map(JournalCodec.encode).joined()
        #expect(!text.contains("secretpart") && !text.contains("R0UTINGKEY") && !text.contains("sp-key"))
        #expect(try Outbox(directory: bed.store.directory(of: bed.id)).pending().isEmpty)
        // A second pass sends nothing again.
        #expect(sender.drain().isEmpty)
        #expect(fake.requests("/services/").count == 3)
    }

    @Test func serverErrorThenRateLimitWithRetryAfterThenSuccess() throws {
        let fake = try FakeVendors()
        let bed = try TestBed()
        let cfg = try Self.config(fake.base)
        let sender = bed.sender(cfg, env: Self.env)
        fake.script([
            ["prefix": "/services/", "status": 500], ["prefix": "/services/", "status": 429, "headers": ["Retry-After": "30"], "body": [:] as [String: Any]],
        ])
        try queue(bed, try bed.record(.severity(1, reason: "no calls connect")), cfg)
        var r = sender.drain().filter { $0.channel == "slack" }
        #expect(r.map(\.detail) == ["Slack post failed: 500 Internal Server Error, will retry in 2s"])
        #expect(sender.drain().filter { $0.channel == "slack" }.isEmpty)  // backing off: not due yet
        bed.advance(2)
        r = sender.drain().filter { $0.channel == "slack" }
        #expect(r.map(\.detail) == ["Slack post failed: 429 Too Many Requests, will retry in 30s"])
        bed.advance(29)
        #expect(sender.drain().filter { $0.channel == "slack" }.isEmpty)  // Retry-After honoured
        bed.advance(1)
        r = sender.drain().filter { $0.channel == "slack" }
        #expect(r.map(\.detail) == ["posted to Slack"])
        #expect(fake.requests("/services/").count == 3)
        // The first failure and the success are journaled, not each retry.
        let slackResults = try bed.results().filter { $0.channel == "slack" }.map(\.detail)
        #expect(slackResults == ["Slack post failed: 500 Internal Server Error, will retry in 2s", "posted to Slack"])
    }

    @Test func unauthorizedIsJournaledAndNotRetried() throws {
        let fake = try FakeVendors()
        let bed = try TestBed()
        let cfg = try Self.config(fake.base)
        var env = Self.env
        env["SP_KEY"] = "wrong"
        let sender = bed.sender(cfg, env: env)
        try queue(bed, try bed.record(.statusUpdate("We are investigating")), cfg)
        _ = sender.drain()
        let sp = try bed.results().filter { $0.channel == "status" }
        #expect(sp.map(\.detail) == ["Statuspage incident create failed: 401 Unauthorized (Could not authenticate), will not retry"])
        bed.advance(600)
        _ = sender.drain()
        #expect(fake.requests("/v1/pages").count == 1)
    }

    @Test func aHangPastTheTimeoutIsRetriedAndACreateThatLandedIsNotMadeTwice() throws {
        let fake = try FakeVendors()
        let bed = try TestBed()
        let cfg = try Self.config(fake.base, timeout: 1)
        let sender = bed.sender(cfg, env: Self.env)
        // Statuspage makes the incident, then its answer comes 3 s late: past our 1 s.
        fake.script([["prefix": "/v1/pages/pg1/incidents", "process": true, "hang": 3]])
        try queue(bed, try bed.record(.statusUpdate("We are investigating")), cfg)
        let started = monotonicNow()
        let r = sender.drain().filter { $0.channel == "status" }
        #expect(monotonicNow() - started < 3)
        #expect(r.map(\.detail) == ["Statuspage incident create failed: timed out after 1s, will retry in 2s"])
        bed.advance(2)
        let again = sender.drain().filter { $0.channel == "status" }
        #expect(again.map(\.detail) == ["Statuspage incident created (found after an interrupted send)"])
        #expect(fake.state["sp_incidents"]?.array?.count == 1)
        // The next update goes to the incident that was found.
        try queue(bed, try bed.record(.statusUpdate("Moved traffic")), cfg)
        _ = sender.drain()
        #expect(fake.requests("/v1/pages/pg1/incidents/sp1").count == 1)
    }

    @Test func anOutboxSurvivesASenderThatDiedMidSend() throws {
        let fake = try FakeVendors()
        let bed = try TestBed()
        let cfg = try Self.config(fake.base)
        let e = try bed.record(.severity(1, reason: "down"))
        try queue(bed, e, cfg)
        let box = Outbox(directory: bed.store.directory(of: bed.id))
        // A sender that wrote its attempt line and died before any outcome.
        try box.started(Outbox.key(event: e.id, channel: "oncall"), now: bed.now)
        #expect(try box.pending().first { $0.channel == "oncall" }?.interrupted == true)
        _ = bed.sender(cfg, env: Self.env).drain()
        #expect(try box.pending().isEmpty)
        #expect(fake.requests("/v2/enqueue").first?["body"]?["dedup_key"]?.string == "dialtone-" + bed.id)
        // Queued twice by mistake: still one delivery per (event, channel).
        try queue(bed, e, cfg)
        #expect(try box.pending().isEmpty)
    }

    @Test func execGetsTheEventOnStdinAndItsExitCodeDecides() throws {
        let bed = try TestBed()
        let out = bed.dir + "/exec-out"
        let cfg = try #require(
            try NotifyConfig.parse(
                yaml: """
                    notify:
                      channels:
                        script: {type: exec, command: "cat > \(out); echo $DIALTONE_DEDUP_KEY >> \(out); test -e \(out).ok || exit 75"}
                        broken: {type: exec, command: "exit 3"}
                      rules:
                        - {kinds: [note], to: [script, broken]}
                    """, file: "t.yaml"))
        let sender = bed.sender(cfg, env: ["PATH": "/usr/bin:/bin"])
        try queue(bed, try bed.record(.note("Bearer abcdefghijklmnop reached the log")), cfg)
        var r = sender.drain()
        #expect(r.map(\.detail) == ["command failed: exit 75 (try again), will retry in 2s", "command failed: exit 3, will not retry"])
        let text = try String(contentsOfFile: out, encoding: .utf8)
        #expect(text.contains("\"kind\":\"note\""))
        #expect(text.contains("Bearer [REDACTED]") && !text.contains("abcdefghijklmnop"))
        #expect(text.contains("dialtone-\(bed.id)-"))
        FileManager.default.createFile(atPath: out + ".ok", contents: nil)
        bed.advance(2)
        r = sender.drain()
        #expect(r.map(\.detail) == ["command ran"])
    }
}
