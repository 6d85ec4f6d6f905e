import IncidentCore
import Testing

@testable import Console
@testable import Ingest

/// The window-back replay must not reach the journal: nothing is journaled until every file
/// caught up, then only the settled state, then only states that hold.
@Suite("Settled health at attach")
struct SettledHealthTests {
    @Test func feedsBeforeCatchUpJournalNothingEvenForTheWriter() {
        var s = Fixture.consoleState(.healthy)
        _ = ConsoleReducer.reduce(&s, .writerLock(true))
        let transient = HealthChange(
            time: 0, stack: .telephony, trunk: nil, from: .noData, to: .critical, message: "Telephony CRITICAL: answer-seizure ratio 71% < 90%")
        let replay = IngestFeed(
            snapshot: Fixture.snapshot(.critical), changes: [transient],
            reported: [.telephony: .critical, .audio: .ok, .intelligence: .ok, .output: .ok], settled: false)
        #expect(ConsoleReducer.reduce(&s, .ingest(replay)).isEmpty)
        #expect(s.lastReported.isEmpty)  // a later writer-lock handover has nothing stale to write
        #expect(ConsoleReducer.reduce(&s, .writerLock(true)).isEmpty)
        // Caught up: the settled state is all OK, which the journal has no reason to record.
        let settled = IngestFeed(
            snapshot: Fixture.snapshot(.healthy), reported: [.telephony: .ok, .audio: .ok, .intelligence: .ok, .output: .ok])
        #expect(ConsoleReducer.reduce(&s, .ingest(settled)).isEmpty)
        // A real failure after catch-up is journaled.
        let real = IngestFeed(
            snapshot: Fixture.snapshot(.critical), reported: [.telephony: .critical, .audio: .ok, .intelligence: .ok, .output: .ok])
        let effects = ConsoleReducer.reduce(&s, .ingest(real))
        #expect(effects.count == 1)
        if case .record(_, .alert(let stack, _, _, let to, _, _), _)? = effects.first {
            #expect(stack == .telephony)
            #expect(to == "critical")
        } else {
            Issue.record("expected a Telephony alert, got \(effects)")
        }
    }

    @Test func holdsEveryStateTheFirstToo() {
        var h = SettledHealth(hold: 30)
        #expect(!h.seeded)
        // Nothing is reported until a state has held: a transient at attach never is.
        #expect(h.observe([.telephony: .critical, .audio: .ok], at: 1000) == [:])
        #expect(h.seeded)
        #expect(h.observe([.telephony: .ok, .audio: .ok], at: 1010) == [:])
        #expect(h.observe([.telephony: .ok, .audio: .ok], at: 1030) == [.audio: .ok])
        #expect(h.transitions == [.init(stack: .audio, from: nil, to: .ok, began: 1000)])
        #expect(h.observe([.telephony: .ok, .audio: .ok], at: 1040) == [.telephony: .ok, .audio: .ok])
        #expect(h.transitions.map(\.stack) == [.telephony])
        #expect(h.observe([.telephony: .critical, .audio: .ok], at: 1050)[.telephony] == .ok)
        #expect(h.observe([.telephony: .critical, .audio: .ok], at: 1079)[.telephony] == .ok)
        #expect(h.observe([.telephony: .critical, .audio: .ok], at: 1080)[.telephony] == .critical)
        #expect(h.transitions == [.init(stack: .telephony, from: .ok, to: .critical, began: 1050)])
        // A blip shorter than the hold is never reported.
        #expect(h.observe([.telephony: .critical, .audio: .warning], at: 1090)[.audio] == .ok)
        #expect(h.observe([.telephony: .critical, .audio: .ok], at: 1100)[.audio] == .ok)
        #expect(h.observe([.telephony: .critical, .audio: .warning], at: 1110)[.audio] == .ok)
        #expect(h.observe([.telephony: .critical, .audio: .warning], at: 1139)[.audio] == .ok)
        #expect(h.observe([.telephony: .critical, .audio: .warning], at: 1140)[.audio] == .warning)
    }
}

@Suite("Turn summaries in the log view")
struct TurnSummaryTests {
    @Test func turnRecordReadsAsOneLine() {
        let line =
            #"{"agent_response":"ok","asr_confidence":0.94,"call_id":"call_abc","latency_ms":{"llm":420,"stt":180,"total":750,"tts":150},"tool_calls":[{"latency_ms":64,"name":"x","success":false}],"turn_index":3}"#
        #expect(TurnSummary.of(line) == "turn 3 call_abc stt 180 llm 420 tts 150 total 750 ms asr 0.94 tool failed")
        var v = LogView()
        let parsed = Fixture.line(1, 0, .intelligence, .info, line)
        #expect(v.displayText(parsed).hasPrefix("turn 3 call_abc"))
        v.raw = true
        #expect(v.displayText(parsed) == line)
    }

    @Test(arguments: ["plain text", "{\"call_id\":\"c\"}", "", "{\"turn_index\":"])
    func otherLinesAreLeftAlone(_ text: String) {
        #expect(TurnSummary.of(text) == nil)
    }
}
