import IncidentCore
import Notify
import Testing

@Suite("notify: config")
struct NotifyConfigTests {
    static let good = """
        incidents_dir: /tmp/x
        notify:
          channels:
            incidents-slack: {type: slack, url_file: /etc/dialtone/slack-webhook}
            oncall: {type: pagerduty, routing_key_file: /etc/dialtone/pd-key}
            status: {type: statuspage, page_id: abc123, api_key_env: SP_KEY, url: "http://127.0.0.1:9"}
          rules:
            - {kinds: [status_update, severity, status, role], to: [incidents-slack]}
            - {kinds: [status_update], to: [status]}
            - {kinds: [declared, severity, accepted, resolved, change], to: [oncall]}
            - {kinds: [alert], level: critical, to: [incidents-slack]}
        """

    @Test func theIssueExampleParses() throws {
        let c = try #require(try NotifyConfig.parse(yaml: Self.good, file: "c.yaml"))
        #expect(c.channels.count == 3)
        #expect(c.channels["status"]?.url == "http://127.0.0.1:9")
        #expect(c.channels["status"]?.secret == SecretSource(file: nil, env: "SP_KEY", name: "api_key"))
        #expect(c.rules.count == 4)
        #expect(c.rules[3].level == "critical")
    }

    @Test(arguments: [
        ("notify:\n  channels:\n    s: {type: slack, url: \"https://hooks.slack.com/x\"}\n", "c.yaml:3: channel s (slack) needs url_file or url_env"),
        (
            "notify:\n  channels:\n    p: {type: pagerduty, routing_key: abc}\n",
            "c.yaml:3: channel p: unknown key \"routing_key\" (secrets come from routing_key_file or _env, never inline)"
        ),
        ("notify:\n  channels:\n    s: {type: sms}\n", "c.yaml:3: channel s: type \"sms\" is not one of"),
        ("notify:\n  channels: {}\n  rules:\n    - {kinds: [status_update], to: [nobody]}\n", "rule sends to \"nobody\", which is not in notify.channels"),
        ("notify:\n  rules:\n    - {kinds: [gossip], to: [x]}\n", "c.yaml:3: kind \"gossip\" is not one of"),
        ("notify:\n  retries: 3\n", "c.yaml:2: unknown key \"retries\" in notify"),
    ])
    func badConfigGetsOneLineNamingWhere(_ yaml: String, _ expected: String) {
        do {
            _ = try NotifyConfig.parse(yaml: yaml, file: "c.yaml")
            Issue.record("accepted: \(yaml)")
        } catch {
            #expect(error.message.contains(expected), "\(error.message)")
            #expect(!error.message.contains("\n"))
        }
    }

    @Test func secretsFromEnvAndFilesNeverInline() throws {
        let s = SecretSource(file: nil, env: "K", name: "routing_key")
        let v = try s.read(["K": " abc \n"])
        #expect(v == "abc")
        #expect(throws: NotifyError.self) { try s.read([:]) }
        let f = SecretSource(file: "/nonexistent/key", env: nil, name: "url")
        #expect(throws: NotifyError("cannot read url_file /nonexistent/key")) { try f.read([:]) }
    }

    @Test func rulesPickChannelsByKindAndAlertLevel() throws {
        let c = try #require(try NotifyConfig.parse(yaml: Self.good, file: "c.yaml"))
        func ev(_ k: JournalKind, _ p: [String: JSONValue]) -> JournalEvent {
            JournalEvent(id: "01X", recordedAt: Timestamp(ms: 0), actor: "a", kind: k, payload: p)
        }
        #expect(c.channels(for: ev(.statusUpdate, ["text": "x"])) == ["incidents-slack", "status"])
        #expect(c.channels(for: ev(.opened, ["title": "t"])) == ["oncall"])
        #expect(c.channels(for: ev(.status, ["status": "resolved"])) == ["incidents-slack", "oncall"])
        #expect(c.channels(for: ev(.roleAccepted, ["role": "incident_commander"])) == ["incidents-slack", "oncall"])
        #expect(c.channels(for: ev(.alert, ["from": "ok", "to": "warning"])) == [])
        #expect(c.channels(for: ev(.alert, ["from": "warning", "to": "critical"])) == ["incidents-slack"])
        #expect(c.channels(for: ev(.outbound, ["channel": "x"])) == [])
        #expect(c.channels(for: ev(.note, ["text": "x"])) == [])
    }
}
