import IncidentCore
import Notify
import Testing

@Suite("notify: request shapes")
struct RenderTests {
    static let pd: Channel = {
        var c = Channel(name: "oncall", type: .pagerduty)
        c.secret = SecretSource(file: nil, env: "PD", name: "routing_key")
        return c
    }()

    static func context(_ events: [JournalEvent]) -> RenderContext {
        var x = RenderContext(incidentID: "20261121-x", state: IncidentState.fold(id: "20261121-x", events: events), playbook: nil, deliveryKey: "k")
        x.environment = ["PD": "key"]
        return x
    }

    static func ev(_ n: Int, _ k: JournalKind, by actor: String = "alice", _ p: [String: JSONValue]) -> JournalEvent {
        JournalEvent(id: "01R\(n)", recordedAt: Timestamp(ms: 1_795_000_000_000 + Int64(n) * 1000), actor: actor, kind: k, payload: p)
    }

    @Test func takingCommandYourselfAcknowledgesAndOnlySev1And2Page() throws {
        let opened = Self.ev(1, .opened, ["title": "Calls +14155550123 failing", "playbook": "voice-agent", "severity": 3])
        let selfIC = Self.ev(2, .roleOffered, ["role": "incident_commander", "user": "alice"])
        let x = Self.context([opened, selfIC])
        #expect(try ChannelRenderer.plan(opened, channel: Self.pd, context: x) == .skip("only SEV-1 and SEV-2 page"))
        guard case .http(let r, "acknowledge") = try ChannelRenderer.plan(selfIC, channel: Self.pd, context: x) else {
            Issue.record("no acknowledge")
            return
        }
        let body = String(decoding: r.body, as: UTF8.self)
        #expect(body == #"{"dedup_key":"dialtone-20261121-x","event_action":"acknowledge","routing_key":"key"}"#)
        #expect(r.url == "https://events.pagerduty.com/v2/enqueue")
        let raised = Self.ev(3, .severity, ["level": 2, "from": 3])
        let y = Self.context([opened, selfIC, raised])
        guard case .http(let t, "trigger") = try ChannelRenderer.plan(raised, channel: Self.pd, context: y) else {
            Issue.record("no trigger")
            return
        }
        let tb = String(decoding: t.body, as: UTF8.self)
        // The title's phone number is redacted before it leaves.
        #expect(tb.contains(#""summary":"[SEV-2] Calls [PHONE] failing: Severity set to SEV-2 from SEV-3""#), "\(tb)")
        #expect(tb.contains(#""severity":"error""#) && tb.contains(#""source":"dialtone""#))
    }

    @Test func slackTextAndBlocksEscapeMrkdwnAndRedact() throws {
        var c = Channel(name: "s", type: .slack)
        c.secret = SecretSource(file: nil, env: "HOOK", name: "url")
        c.url = "http://127.0.0.1:9/"
        let opened = Self.ev(1, .opened, ["title": "ASR <down> & sip:+14155550123@carrier", "playbook": "voice-agent", "severity": 2])
        var x = Self.context([opened])
        x.environment = ["HOOK": "https://hooks.slack.com/services/T/B/C"]
        guard case .http(let r, _) = try ChannelRenderer.plan(opened, channel: c, context: x) else {
            Issue.record("no request")
            return
        }
        #expect(r.url == "http://127.0.0.1:9/services/T/B/C")
        let body = String(decoding: r.body, as: UTF8.self)
        #expect(body.contains("*ASR &lt;down&gt; &amp; sip:[PHONE]@carrier*"), "\(body)")
        #expect(!body.contains("14155550123"))
    }
}
