import Foundation
import IncidentCore
import Testing

@testable import Ingest

/// The latency article's rule (warm-transfer after two failed turns), followed per call: who
/// was due a transfer and who was stranded, from the rule alone, from parsed turn records, and
/// in the line under the panels and the journaled change.
@Suite("Transfer after two failed turns")
struct TransferRuleTests {
    typealias F = HealthFixtures

    static let ruleMetrics: [MetricDefinition] = [
        MetricDefinition(
            id: "transfer_connect_rate", name: "Warm transfers connected", scope: .safetyNet, unit: "%",
            aggregation: .ratio, numerator: .transferConnected, denominator: .transferAttempt,
            direction: .lowerIsWorse, warning: 90, critical: 75, minSamples: 5),
        MetricDefinition(
            id: "transfer_due_calls", name: "Calls due a transfer", scope: .safetyNet, unit: "calls",
            aggregation: .count, signal: .transferDue, direction: .higherIsWorse),
        MetricDefinition(
            id: "stranded_calls", name: "Stranded calls", scope: .safetyNet, unit: "calls",
            aggregation: .count, signal: .strandedCall, direction: .higherIsWorse, warning: 1, critical: 5),
    ]

    typealias Change = TransferRule.Change

    static func due(_ at: Double, _ d: Double = 1) -> Change { Change(signal: .transferDue, at: at, delta: d) }
    static func stranded(_ at: Double, _ d: Double = 1) -> Change { Change(signal: .strandedCall, at: at, delta: d) }

    /// A failed turn of call `id` at `t`.
    static func fail(_ r: inout TransferRule, _ id: String, _ t: Double, transfer: Bool? = nil) -> [Change] {
        r.note(id, at: t, failedTurn: true, transfer: transfer != nil, connected: transfer, ended: false)
    }

    // MARK: The rule alone

    @Test func theSecondFailedTurnMakesACallDue() {
        var r = TransferRule(capacity: 100)
        #expect(Self.fail(&r, "a", 10) == [])
        #expect(Self.fail(&r, "a", 20) == [Self.due(20)])
        // The third with no transfer strands the caller, counted where the call became due.
        #expect(Self.fail(&r, "a", 30) == [Self.stranded(20)])
        // Due and stranded once, however many more turns fail.
        #expect(Self.fail(&r, "a", 40) == [])
        // Another call is its own.
        #expect(Self.fail(&r, "b", 41) == [])
    }

    @Test func oneTurnLoggedTwiceIsOneFailedTurn() {
        var r = TransferRule(capacity: 100)
        // The turn record and the framework's error line, a second apart: one turn.
        _ = Self.fail(&r, "a", 10)
        #expect(Self.fail(&r, "a", 11) == [])
        #expect(Self.fail(&r, "a", 12) == [])
        // More than two seconds after it is the next turn.
        #expect(Self.fail(&r, "a", 15) == [Self.due(15)])
    }

    @Test func aTransferThatConnectsIsTheWayOut() {
        var r = TransferRule(capacity: 100)
        _ = Self.fail(&r, "a", 10)
        // The second failed turn and its transfer in one record (the agent follows the rule).
        #expect(Self.fail(&r, "a", 20, transfer: true) == [Self.due(20)])
        #expect(Self.fail(&r, "a", 30) == [])
        #expect(r.note("a", at: 40, failedTurn: false, transfer: false, connected: nil, ended: true) == [])
    }

    @Test func aFailedTransferOrAnEndWithNoneStrandsTheCaller() {
        var r = TransferRule(capacity: 100)
        _ = Self.fail(&r, "a", 10)
        #expect(Self.fail(&r, "a", 20, transfer: false) == [Self.due(20), Self.stranded(20)])
        // Counted once: the caller hanging up afterwards is the same stranded call.
        #expect(r.note("a", at: 30, failedTurn: false, transfer: false, connected: nil, ended: true) == [])

        _ = Self.fail(&r, "b", 10)
        _ = Self.fail(&r, "b", 20)
        #expect(r.note("b", at: 25, failedTurn: false, transfer: false, connected: nil, ended: true) == [Self.stranded(20)])

        // A transfer tried and failed before the rule was due is not the rule's business.
        _ = r.note("c", at: 10, failedTurn: false, transfer: true, connected: false, ended: false)
        #expect(r.note("c", at: 20, failedTurn: false, transfer: false, connected: nil, ended: true) == [])
        // A second try that connects takes a failed transfer's "stranded" back.
        _ = Self.fail(&r, "d", 10)
        #expect(Self.fail(&r, "d", 20, transfer: false) == [Self.due(20), Self.stranded(20)])
        #expect(r.note("d", at: 35, failedTurn: false, transfer: true, connected: true, ended: false) == [Self.stranded(20, -1)])
    }

    @Test func sourcesInAnyOrderGiveTheSameVerdict() {
        // The framework's error lines for three turns first, then the turn records, whose
        // second carries the transfer: stranded for a moment, then taken back.
        var r = TransferRule(capacity: 100)
        var all: [Change] = []
        for t in [10.0, 20, 30] { all += Self.fail(&r, "a", t + 0.4) }
        #expect(all == [Self.due(20.4), Self.stranded(20.4)])
        all += Self.fail(&r, "a", 10)
        all += Self.fail(&r, "a", 20, transfer: true)
        all += Self.fail(&r, "a", 30)
        #expect(all == [Self.due(20.4), Self.stranded(20.4), Self.stranded(20.4, -1)])

        // A failed turn that turns up late moves the due count to its true time.
        var late = TransferRule(capacity: 100)
        var moved: [Change] = []
        moved += Self.fail(&late, "b", 20)
        moved += Self.fail(&late, "b", 30)
        moved += Self.fail(&late, "b", 10)
        #expect(moved == [Self.due(30), Self.due(30, -1), Self.due(20), Self.stranded(20)])
        // Summed, every order leaves one count of each at the due time.
        let net = Dictionary(grouping: moved, by: { "\($0.signal.rawValue)@\($0.at)" }).mapValues { $0.reduce(0) { $0 + $1.delta } }
        #expect(net.filter { $0.value != 0 } == ["transfer_due@20.0": 1, "stranded_call@20.0": 1])
    }

    @Test func countsTheRingNoLongerHoldsGoToNowAndAreNotTakenBack() {
        var r = TransferRule(capacity: 100)
        _ = r.note("a", at: 10, failedTurn: true, transfer: false, connected: nil, ended: false, oldest: 0)
        _ = r.note("a", at: 20, failedTurn: true, transfer: false, connected: nil, ended: false, oldest: 0)
        // Ten minutes on the call ends with no transfer: its due time has left the ring.
        #expect(
            r.note("a", at: 620, failedTurn: false, transfer: false, connected: nil, ended: true, oldest: 300)
                == [Self.stranded(620)])
        #expect(r.note("a", at: 630, failedTurn: false, transfer: true, connected: true, ended: false, oldest: 310) == [Self.stranded(620, -1)])
    }

    @Test func memoryIsBoundedWhateverTheNumberOfCalls() {
        var r = TransferRule(capacity: 64)
        for i in 0..<10_000 { _ = Self.fail(&r, "call-\(i)", Double(i)) }
        #expect(r.count == 64)
        // The newest calls are the ones remembered: a second failure of the last call makes it due.
        #expect(Self.fail(&r, "call-9999", 20_000) == [Self.due(20_000)])
        #expect(Self.fail(&r, "call-0", 20_000) == [])
    }

    // MARK: From turn records to the line and the journal

    /// Turn records of `calls` calls, `turns` turns each 6 s apart, every turn failing with an
    /// LLM error when `failing`; from the second failed turn the agent tries `transfer_call`,
    /// which connects when `connects`.
    static func turnLines(calls: Int, turns: Int, from t0: Double, failing: Bool, connects: Bool) -> [String] {
        var out: [String] = []
        for c in 0..<calls {
            for k in 0..<turns {
                let t = t0 + Double(c) * 2 + Double(k) * 6
                let stamp = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: t))
                var tools = ""
                if failing && k == 1 {
                    tools = #"{"name":"transfer_call","success":\#(connects),"latency_ms":\#(connects ? 6000 : 15000)}"#
                }
                let error = failing ? #","error":"llm completion failed: provider returned 503 service unavailable""# : ""
                out.append(
                    #"{"call_id":"c\#(Int(t0))-\#(c)","turn_index":\#(k + 1),"timestamp":"\#(stamp)","latency_ms":{"stt":150,"llm":300,"tts":100,"total":600},"tool_calls":[\#(tools)]\#(error)}"#
                )
            }
        }
        return out
    }

    static func feed(_ e: HealthEngine, _ lines: [String]) {
        let parser = LineParser(context: ParserFixtures.utc)
        for l in lines {
            var out: [NormalizedEvent] = []
            _ = Array(l.utf8).withUnsafeBufferPointer { parser.parse($0, arrivalTime: 0, into: &out) }
            for ev in out { e.ingest(ev) }
        }
    }

    @Test func turnRecordsGiveDueAndStrandedCalls() throws {
        let e = HealthEngine(playbook: F.playbook(F.metrics() + Self.ruleMetrics))
        // Twenty calls failed twice and handed over to a queue that never answers; ten calls
        // failed three times with no transfer tried; ten calls that went fine.
        let t0 = 1_796_000_000.0
        Self.feed(e, Self.turnLines(calls: 20, turns: 2, from: t0, failing: true, connects: false))
        let erring = Self.turnLines(calls: 10, turns: 3, from: t0 + 60, failing: false, connects: false)
        Self.feed(
            e,
            erring.map {
                $0.replacingOccurrences(of: #""tool_calls":[]"#, with: #""tool_calls":[],"error":"llm timeout""#)
            })
        Self.feed(e, Self.turnLines(calls: 10, turns: 3, from: t0 + 100, failing: false, connects: false))
        let snap = e.evaluate(at: try #require(e.newestEventTime))
        let due = try #require(snap.metric("transfer_due_calls"))
        let stranded = try #require(snap.metric("stranded_calls"))
        #expect(due.value == 30)
        #expect(stranded.value == 30)
        #expect(stranded.state == .critical)
        #expect(SafetyNetText.line(snap.safetyNets) == "transfers 20, 0% connected; stranded 30 of 30 due a transfer")
        // The JSON carries both under safety_nets.
        let json = HealthEngine.summaryJSON(snap, counters: IngestCounters(lines: 1, parsed: 1, unparsed: 0, dropped: 0))
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let nets = try #require((doc["safety_nets"] as? [String: Any])?["metrics"] as? [String: Any])
        #expect((nets["stranded_calls"] as? [String: Any])?["value"] as? Double == 30)
        #expect((nets["transfer_due_calls"] as? [String: Any])?["value"] as? Double == 30)
    }

    @Test func transfersThatConnectStrandNobody() throws {
        let e = HealthEngine(playbook: F.playbook(F.metrics() + Self.ruleMetrics))
        Self.feed(e, Self.turnLines(calls: 20, turns: 4, from: 1_796_000_000, failing: true, connects: true))
        let snap = e.evaluate(at: try #require(e.newestEventTime))
        #expect(snap.metric("transfer_due_calls")?.value == 20)
        #expect(snap.metric("stranded_calls")?.value == 0)
        #expect(snap.metric("stranded_calls")?.state == .ok)
        #expect(SafetyNetText.line(snap.safetyNets) == "transfers 20, 100% connected; stranded 0 of 20 due a transfer")
    }

    @Test func strandedCallersAreJournaledWhileTheStackIsDown() throws {
        let e = HealthEngine(playbook: F.playbook(F.metrics() + Self.ruleMetrics))
        let t0 = 1_796_000_000.0
        Self.feed(e, Self.turnLines(calls: 40, turns: 3, from: t0, failing: false, connects: false))
        _ = e.advance(to: t0 + 100)
        // The LLM provider goes down; the agent tries transfers and the queue never answers.
        Self.feed(e, Self.turnLines(calls: 60, turns: 3, from: t0 + 120, failing: true, connects: false))
        let changes = e.advance(to: try #require(e.newestEventTime))
        let nets = try #require(
            changes.first { $0.stack == nil && $0.trunk == nil && $0.to == .critical }, "\(changes.map(\.message))")
        #expect(nets.message.contains("Intelligence is CRITICAL: callers are stranded"), "\(nets.message)")
        // The transfers crossed their line first; the callers they stranded are named with them.
        #expect(
            nets.message.hasPrefix("Safety nets CRITICAL: warm transfers connected 0% < 75% over 5 min ("), "\(nets.message)")
        #expect(nets.message.range(of: #"tried\); \d+ calls stranded of \d+ due a transfer; "#, options: .regularExpression) != nil, "\(nets.message)")
    }
}
