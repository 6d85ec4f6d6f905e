import Foundation
import IncidentCore
import Testing

@testable import Ingest

/// The safety nets callers meet while a stack is down: warm transfers (turn records' tool
/// calls, SIP REFER, platforms' endings), voicemail, and 486 admission control; the line
/// under the panels; the change journaled when a safety net fails while a stack is down.
@Suite("Safety nets")
struct SafetyNetTests {
    typealias F = HealthFixtures

    /// The shipped playbook's safety-net metrics (IncidentStoreTests checks the file has them).
    static let metrics: [MetricDefinition] = [
        MetricDefinition(
            id: "transfer_connect_rate", name: "Warm transfers connected", scope: .safetyNet, unit: "%",
            aggregation: .ratio, numerator: .transferConnected, denominator: .transferAttempt,
            direction: .lowerIsWorse, warning: 90, critical: 75, minSamples: 5),
        MetricDefinition(
            id: "transfer_connect_p95_ms", name: "Time to connect a transfer p95", scope: .safetyNet, unit: "ms",
            aggregation: .p95, signal: .transferConnectMs, direction: .higherIsWorse, minSamples: 5),
        MetricDefinition(
            id: "voicemail_fallbacks", name: "Voicemail fallbacks", scope: .safetyNet, unit: "count",
            aggregation: .count, signal: .voicemailFallback, direction: .higherIsWorse),
        MetricDefinition(
            id: "admission_rejects", name: "Admission 486s", scope: .safetyNet, unit: "count",
            aggregation: .count, signal: .admissionReject, direction: .higherIsWorse),
    ]

    static func turn(_ call: String, _ tools: String, extra: String = "") -> String {
        #"{"call_id":"\#(call)","turn_index":2,"timestamp":"2026-12-07T10:00:00Z","latency_ms":{"stt":150,"llm":300,"tts":100,"total":600},"tool_calls":[\#(tools)]\#(extra)}"#
    }

    // MARK: Reading them

    @Test func transferAndVoicemailToolCallsInTurnRecords() {
        let lines = [
            // Latency before the name: keys come in any order.
            Self.turn("c1", #"{"latency_ms":6200,"name":"transfer_call","success":true}"#),
            Self.turn("c2", #"{"name":"transferToHuman","success":false,"duration_ms":15000}"#),
            Self.turn("c3", #"{"name":"lookup_order","success":true,"latency_ms":80},{"name":"leave_voicemail","success":true}"#),
            Self.turn("c4", #"{"name":"leave_voicemail","success":false}"#),
            // A transfer whose outcome the record does not say is not counted either way.
            Self.turn("c5", #"{"name":"transfer_call"}"#),
        ].joined(separator: "\n")
        let r = ParserFixtures.run(lines)
        #expect(r.sum(.transferAttempt) == 2)
        #expect(r.sum(.transferConnected) == 1)
        // Only a connected transfer has a time to connect; other tools' latencies are not it.
        #expect(r.values(.transferConnectMs) == [6200])
        #expect(r.sum(.voicemailFallback) == 1)
        // The tool calls themselves still count as before.
        #expect(r.sum(.toolCall) == 6)
        #expect(r.sum(.toolSuccess) == 3)
    }

    @Test func turnRecordsNameTheirCallsDimensions() {
        let lines = [
            Self.turn(
                "c1", "", extra: #","agent_version":"2.4.0-rc1","model":"gpt-4o-mini","voice_id":"aria","region":"eu-west-1""#),
            Self.turn("c2", "", extra: #","llm_model":"gpt-4o","model":"ignored","tts_voice":"sonic","carrier":"carrier-a""#),
            Self.turn("c3", ""),
        ].joined(separator: "\n")
        let turns = ParserFixtures.run(lines).events(.turn)
        #expect(
            turns.first?.dimensions == [
                "agent_version": "2.4.0-rc1", "llm_model": "gpt-4o-mini", "tts_voice": "aria", "region": "eu-west-1",
            ])
        // The explicit name wins over the short one, whichever comes first.
        #expect(turns.dropFirst().first?.dimensions == ["llm_model": "gpt-4o", "tts_voice": "sonic", "carrier": "carrier-a"])
        #expect(turns.last?.dimensions == [:])
        // Without a call id the record cannot place its call in a cohort: nothing is kept.
        let anonymous = ParserFixtures.run(
            #"{"turn_index":1,"latency_ms":{"total":5},"agent_version":"2.4.0"}"#
        ).events(.turn)
        #expect(anonymous.first?.dimensions == [:])
    }

    @Test func aPlaybooksOwnDimensionsAreReadFromTurnRecords() throws {
        var ctx = ParserFixtures.utc
        ctx.dimensions = ["tenant", "pool"]
        let lines = [
            Self.turn("c1", "", extra: #","tenant":"acme","metadata":{"pool":"gpu-b"},"agent_version":"2.4.0""#),
            // Only a top-level field or a `metadata` member names the call's tenant.
            Self.turn("c2", "", extra: #","customer":{"tenant":"not-this"},"pool":7"#),
            Self.turn("c3", ""),
        ].joined(separator: "\n")
        let turns = ParserFixtures.run(lines, context: ctx).events(.turn)
        #expect(turns.first?.dimensions == ["tenant": "acme", "pool": "gpu-b", "agent_version": "2.4.0"])
        #expect(turns.dropFirst().first?.dimensions == ["pool": "7"])
        #expect(turns.last?.dimensions == [:])
        // Without the playbook's list the same record names only the built-in ones.
        #expect(ParserFixtures.run(lines).events(.turn).first?.dimensions == ["agent_version": "2.4.0"])

        // And they reach the cohorts: failing turns all on one tenant.
        var pb = F.playbook()
        pb.dimensions = ["tenant"]
        let e = HealthEngine(playbook: pb)
        let parser = LineParser(context: ctx)
        for i in 0..<200 {
            let bad = i % 4 == 0
            let error = bad ? #","error":"llm timeout after 10 s""# : ""
            let tenant = bad ? "acme" : "t\(i % 3)"
            let stamp = String(format: "2026-12-07T10:%02d:%02dZ", i / 60, i % 60)
            let line = #"{"call_id":"k\#(i)","turn_index":1,"timestamp":"\#(stamp)","latency_ms":{"llm":300,"total":600},"tenant":"\#(tenant)"\#(error)}"#
            var out: [NormalizedEvent] = []
            _ = Array(line.utf8).withUnsafeBufferPointer { parser.parse($0, arrivalTime: 0, into: &out) }
            for ev in out { e.ingest(ev) }
        }
        let cohorts = e.evaluate(at: try #require(e.newestEventTime)).stacks.flatMap(\.diagnosis.cohorts)
        #expect(cohorts.contains { $0.dimension == "tenant" && $0.value == "acme" && $0.failingSharePct == 100 }, "\(cohorts)")
    }

    @Test func sippReferTransfersAndTheirNotifyOutcome() throws {
        // Real sipp runs: three calls transferred each, the target answering 200 in one run
        // and timing out (408) in the other.
        let ok = try ParserFixtures.run(file: "sipp/transfer/transfer-ok-uac.trace")
        #expect(ok.sum(.transferAttempt) == 3)
        #expect(ok.sum(.transferConnected) == 3)
        let connect = ok.values(.transferConnectMs)
        #expect(connect.count == 3)
        // The UAS reports the answer 1.2 s after the REFER (its scenario's pause).
        #expect(connect.allSatisfy { $0 >= 1150 && $0 < 1600 }, "\(connect)")
        #expect(ok.sum(.callAnswered) == 3)

        let timedOut = try ParserFixtures.run(file: "sipp/transfer/transfer-timeout-uac.trace")
        #expect(timedOut.sum(.transferAttempt) == 3)
        #expect(timedOut.sum(.transferConnected) == 0)
        #expect(timedOut.values(.transferConnectMs).isEmpty)
    }

    @Test func busyHereIsAdmissionControlAndStillARefusedCall() throws {
        // sipp's own run against a UAS that answers 486 (four/busy486): every refusal counts.
        let r = try ParserFixtures.run(file: "sipp/four/busy486-uac-messages.log")
        #expect(r.sum(.admissionReject) == 24)
        #expect(r.sum(.sip4xx) == 24)
        let refused503 = try ParserFixtures.run(file: "sipp/four/reject503-uac-messages.log")
        #expect(refused503.sum(.admissionReject) == 0)
    }

    @Test func platformEndingsThatTransfer() {
        let lines = [
            #"{"call_id":"r1","call_status":"ended","disconnection_reason":"call_transfer","end_timestamp":1765101600000}"#,
            #"{"call_id":"r2","call_status":"ended","disconnection_reason":"transfer_cancelled","end_timestamp":1765101601000}"#,
            #"{"call_id":"r3","call_status":"ended","disconnection_reason":"user_hangup","end_timestamp":1765101602000}"#,
        ].joined(separator: "\n")
        let r = ParserFixtures.run(lines)
        #expect(r.sum(.callEnded) == 3)
        #expect(r.sum(.transferAttempt) == 2)
        #expect(r.sum(.transferConnected) == 1)
    }

    // MARK: The line and the change

    /// A fleet whose transfers connect `connectedEvery` in 10 from `t0` on, with the LLM
    /// failing when `llmDown`.
    static func feed(_ e: HealthEngine, from t0: Double, seconds: Int, connected: Int, llmDown: Bool) {
        for i in 0..<seconds {
            let t = t0 + Double(i)
            let ok = i % 10 < connected
            var s: [(Signal, Double)] = [(.transferAttempt, 1), (.transferConnected, ok ? 1 : 0)]
            if ok { s.append((.transferConnectMs, 6000)) }
            e.ingest(F.event(t, nil, s, call: "c\(i)"))
            e.ingest(F.event(t, .intelligence, [(.llmRequest, 1), (.llmError, llmDown ? 1 : 0)]))
        }
    }

    @Test func theLineSaysWhatCallersMeet() throws {
        let e = HealthEngine(playbook: F.playbook(F.metrics() + Self.metrics))
        Self.feed(e, from: 1000, seconds: 120, connected: 9, llmDown: false)
        e.ingest(F.event(1100, .telephony, [(.callAttempt, 1), (.callFailed, 1), (.sip4xx, 1), (.admissionReject, 1)]))
        let snap = e.evaluate(at: 1120)
        let line = try #require(SafetyNetText.line(snap.safetyNets))
        #expect(line == "transfers 120, 90% connected (p95 6 s to connect); voicemail 0; admission 486s 1")
        // A team's own safety-net metrics read "name value".
        var own = snap.safetyNets
        own[0].id = "queue_transfers"
        own[1].id = "queue_connect"
        #expect(
            SafetyNetText.line(own) == "warm transfers connected 90%; time to connect a transfer p95 6000 ms; voicemail 0; admission 486s 1")
        // One transfer in ten failing is at the warning line (90%).
        #expect(HealthRules.combined(snap.safetyNets) == .warning)
        let text = HealthEngine.summaryText(snap, counters: IngestCounters(lines: 1, parsed: 1, unparsed: 0, dropped: 0))
        #expect(text.contains("Safety nets"))
        let doc = try #require(
            try JSONSerialization.jsonObject(
                with: Data(HealthEngine.summaryJSON(snap, counters: IngestCounters(lines: 1, parsed: 1, unparsed: 0, dropped: 0)).utf8))
                as? [String: Any])
        let nets = try #require(doc["safety_nets"] as? [String: Any])
        #expect(nets["state"] as? String == "warning")
        #expect(nets["line"] as? String == line)
        let m = try #require((nets["metrics"] as? [String: Any])?["transfer_connect_rate"] as? [String: Any])
        #expect(m["value"] as? Double == 90)
        #expect(m["samples"] as? Int == 120)
    }

    @Test func noSafetyNetInTheLogsShowsNoLine() {
        let e = HealthEngine(playbook: F.playbook(F.metrics() + Self.metrics))
        for i in 0..<60 { e.ingest(F.event(1000 + Double(i), .intelligence, [(.llmRequest, 1)])) }
        let snap = e.evaluate(at: 1060)
        #expect(snap.safetyNets.count == Self.metrics.count)
        #expect(SafetyNetText.line(snap.safetyNets) == nil)
        #expect(e.advance(to: 1060).allSatisfy { $0.stack != nil })
    }

    @Test func failingTransfersWhileAStackIsDownStrandCallers() throws {
        let e = HealthEngine(playbook: F.playbook(F.metrics() + Self.metrics))
        Self.feed(e, from: 1000, seconds: 300, connected: 10, llmDown: false)
        _ = e.advance(to: 1300)
        // The LLM goes down and three transfers in ten stop connecting.
        Self.feed(e, from: 1300, seconds: 400, connected: 3, llmDown: true)
        let changes = e.advance(to: 1700)
        let nets = changes.filter { $0.stack == nil && $0.trunk == nil }
        let critical = try #require(nets.first { $0.to == .critical }, "\(changes.map(\.message))")
        #expect(critical.message.hasPrefix("Safety nets CRITICAL: warm transfers connected"))
        #expect(critical.message.contains("Intelligence is CRITICAL: callers are stranded"), "\(critical.message)")
        #expect(HealthEngine.changeJSON(critical).contains(#""safety_net":true"#))
        // Back to connecting: the safety net reports OK (a return, not silence).
        Self.feed(e, from: 1700, seconds: 400, connected: 10, llmDown: false)
        let back = e.advance(to: 2100).filter { $0.stack == nil && $0.trunk == nil }
        #expect(back.last?.to == .ok, "\(back.map(\.message))")
        #expect(back.last?.message.contains("was") == true)
    }
}
