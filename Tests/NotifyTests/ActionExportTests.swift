import Foundation
import IncidentCore
import IncidentStore
import Notify
import Testing

@Suite("Action items out: Jira and GitHub fakes", .serialized)
struct ActionExportTests {
    @Test func jiraGetsOneIssuePerItemAndAnInterruptedCreateIsFoundNotRepeated() throws {
        let fake = try FakeVendors()
        let bed = try TestBed()
        let cfg = try #require(
            try NotifyConfig.parse(
                yaml: """
                    notify:
                      channels:
                        jira: {type: jira, url: "\(fake.base)", project: OPS, email: oncall@example.com, api_token_env: JIRA_TOKEN}
                    """, file: "t.yaml"))
        let channel = try #require(cfg.channels["jira"])
        let a = try bed.record(.action("alert on ASR < 90%", owner: "alice", type: .detective))
        try bed.record(.note("TODO: rehearse carrier failover"))
        let export = ActionExport(
            store: bed.store, incidentID: bed.id, channel: channel, login: Logins.current, environment: ["JIRA_TOKEN": "tok"], clock: { bed.now })

        // The first item's create lands on Jira, and the process dies before hearing back:
        // simulated by an attempt line with no outcome after the far side made the issue.
        let box = Outbox(directory: bed.store.directory(of: bed.id), name: "exports.jsonl")
        try box.enqueue(event: a.id, channels: ["jira"], now: bed.now)
        try box.started(Outbox.key(event: a.id, channel: "jira"), now: bed.now)
        let made = HTTPRequest(
            method: "POST", url: fake.base + "/rest/api/2/issue", headers: ["Authorization": "Basic x", "Content-Type": "application/json"],
            body: Array(
                #"{"fields":{"project":{"key":"OPS"},"summary":"alert on ASR < 90%","issuetype":{"name":"Task"},"labels":["dialtone","dialtone-item-\#(a.id.lowercased())"]}}"#
                    .utf8))
        _ = CurlTransport().send(made, timeout: 5)

        let lines = try export.run()
        #expect(lines.map(\.ok) == [true, true])
        #expect(lines[0].text == "Jira issue found after an interrupted export: \(fake.base)/browse/OPS-1")
        #expect(lines[1].text == "Jira issue created: \(fake.base)/browse/OPS-2")
        let issues = fake.state["jira_issues"]?.array ?? []
        #expect(issues.count == 2)
        #expect(issues[1]["summary"]?.string == "rehearse carrier failover")
        #expect(issues[1]["description"]?.string?.contains("Incident: \(bed.id)") == true)
        let post = try #require(fake.requests("/rest/api/2/issue").last)
        #expect(post["headers"]?["authorization"]?.string == "Basic " + Data("oncall@example.com:tok".utf8).base64EncodedString())

        // Again: nothing new is created; the journal holds each URL once.
        let again = try export.run()
        #expect(again.allSatisfy { $0.text.hasPrefix("already exported: \(fake.base)/browse/OPS-") })
        #expect(fake.state["jira_issues"]?.array?.count == 2)
        let urls = try bed.results().filter { $0.via == "jira" }.compactMap(\.url)
        #expect(urls == [fake.base + "/browse/OPS-1", fake.base + "/browse/OPS-2"])
    }
}
