import Foundation
import Testing

@testable import Receiver

/// `POST /v1/alerts` on the real binary, posted with curl as Alertmanager and Grafana post:
/// a firing alert opens an incident by a declare rule, a resend is a duplicate, its
/// resolution is journaled, an unmatched one is counted, a bad payload is a 400.
@Suite struct AlertEndpointTests {
    static func payload(_ status: String, fingerprint: String = "a1b2c3d4", service: String = "voice-agent") -> String {
        """
        {"version":"4","status":"\(status)","receiver":"dialtone","groupLabels":{"alertname":"SIP5xxHigh"},
         "commonLabels":{"service":"\(service)"},"externalURL":"http://alertmanager:9093",
         "alerts":[{"status":"\(status)","labels":{"alertname":"SIP5xxHigh","severity":"critical","service":"\(service)","trunk":"carrier-a"},
           "annotations":{"summary":"SIP 5xx above 10% on carrier-a"},"startsAt":"2026-12-07T02:50:00Z",
           "endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://prometheus:9090/graph","fingerprint":"\(fingerprint)"}]}
        """
    }

    func post(_ port: Int, _ body: String) throws -> CurlResult {
        try curl(["-X", "POST", "-H", "Content-Type: application/json", "--data-binary", body, "http://127.0.0.1:\(port)/v1/alerts"])
    }

    @Test func alertsAreJournaledDeduplicatedAndResolved() throws {
        let c = CommandTests()
        let spool = try c.tempDir()
        let dir = try c.tempDir()
        let (p, out, _, port) = try c.start([
            "receive", "--listen", "127.0.0.1:0", "--spool", spool, "--dir", dir, "--alerts",
            "--alerts-match", "service=voice-agent", "--alerts-declare", "severity=critical:1",
        ])
        let first = try post(port, Self.payload("firing"))
        #expect(first.status == 200)
        #expect(first.body.contains(#""journaled":1"#) && first.body.contains(#""declared":["#))
        let again = try post(port, Self.payload("firing"))
        #expect(again.status == 200)
        #expect(again.body.contains(#""duplicates":1"#))
        let (_, brief, _) = try runProcess(CommandTests.binary, ["brief", "--dir", dir])
        #expect(brief.contains("Alert firing since") && brief.contains("SIP5xxHigh: SIP 5xx above 10% on carrier-a"), "\(brief)")
        #expect(try post(port, Self.payload("resolved")).body.contains(#""journaled":1"#))
        #expect(try post(port, Self.payload("firing", fingerprint: "ffff", service: "billing")).body.contains(#""unmatched":1"#))
        let bad = try post(port, "not json")
        #expect(bad.status == 400)
        #expect(bad.body.contains("not JSON"))
        let noAlerts = try post(port, #"{"version":"4"}"#)
        #expect(noAlerts.status == 400)
        #expect(noAlerts.body.contains("no 'alerts' list"))
        let summary = c.stop(p, out)
        #expect(summary.contains("2 requests refused (2x400)"), "\(summary)")
        let (_, list, _) = try runProcess(CommandTests.binary, ["list", "--dir", dir])
        #expect(list.contains("SEV-1") && list.contains("SIP5xxHigh"))
        let (_, timeline, _) = try runProcess(CommandTests.binary, ["timeline", "--dir", dir])
        #expect(timeline.contains("Alert FIRING (alertmanager): SIP5xxHigh"))
        #expect(timeline.contains("Alert resolved (alertmanager): SIP5xxHigh"))
        #expect(timeline.components(separatedBy: "Alert FIRING").count == 2)  // the resend is not journaled again
    }

    @Test func withoutAlertsTheEndpointIsNotThere() throws {
        let c = CommandTests()
        let (p, out, _, port) = try c.start(["receive", "--listen", "127.0.0.1:0", "--spool", try c.tempDir()])
        defer { _ = c.stop(p, out) }
        let r = try post(port, Self.payload("firing"))
        #expect(r.status == 404)
        #expect(r.body.contains("--alerts"))
    }
}

@Suite struct AlertPayloadTests {
    @Test func grafanasVariantWithoutFingerprintsGetsAStableOne() throws {
        let body =
            #"{"receiver":"dialtone","status":"firing","orgId":1,"alerts":[{"status":"firing","labels":{"alertname":"TTFB","team":"voice"},"annotations":{"description":"TTS TTFB p95 over 400 ms"},"startsAt":"2026-12-07T02:00:00Z","panelURL":"http://grafana/d/x"}],"title":"[FIRING:1] TTFB","version":"1"}"#
        let a = try AlertmanagerPayload.parse(Array(body.utf8))
        #expect(a.count == 1)
        #expect(a[0].source == "grafana")
        #expect(a[0].summary == "TTS TTFB p95 over 400 ms")
        #expect(a[0].url == "http://grafana/d/x")
        let again = try AlertmanagerPayload.parse(Array(body.utf8))
        #expect(!a[0].fingerprint.isEmpty && a[0].fingerprint == again[0].fingerprint)
    }

    @Test func badAlertsNameWhatIsWrong() {
        #expect(throws: AlertmanagerPayload.Failure(description: "alerts[0].status must be \"firing\" or \"resolved\"")) {
            _ = try AlertmanagerPayload.parse(Array(#"{"version":"4","alerts":[{"status":"pending"}]}"#.utf8))
        }
        #expect(throws: AlertmanagerPayload.Failure(description: "webhook version 9 is not one dialtone reads (4, or Grafana's 1)")) {
            _ = try AlertmanagerPayload.parse(Array(#"{"version":"9","alerts":[]}"#.utf8))
        }
    }
}
