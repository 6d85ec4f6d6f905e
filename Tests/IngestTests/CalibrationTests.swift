import IncidentCore
import Testing

@testable import Ingest

private typealias F = HealthFixtures

@Suite("calibrate: thresholds from a calm period")
struct CalibrationTests {
    /// Twelve calm minutes: LLM latency around 300 ms, ASR confidence around 0.92, no 5xx.
    private func calmEngine(minutes: Int = 12) -> HealthEngine {
        let e = HealthEngine(playbook: F.playbook())
        var rng = SeededRandom(seed: 9)
        for s in 0..<(minutes * 60) {
            let t = 1_000_000 + Double(s)
            e.ingest(F.call(t, answered: true))
            e.ingest(F.event(t, .intelligence, [(.llmLatencyMs, 280 + Double(Int.random(in: 0...40, using: &rng))), (.llmRequest, 1)]))
            e.ingest(F.event(t, .audio, [(.asrConfidence, 0.9 + Double(Int.random(in: 0...40, using: &rng)) / 1000), (.sttLatencyMs, 150)]))
        }
        return e
    }

    @Test func proposalsSitBeyondTheWorstCalmValue() throws {
        let ps = calmEngine().proposeThresholds()
        let llm = try #require(ps.first { $0.id == "llm_latency_p95_ms" })
        #expect(llm.readings >= 6)
        let (w, c, worst, med) = (try #require(llm.warning), try #require(llm.critical), try #require(llm.worst), try #require(llm.median))
        #expect(med <= worst && worst < w && w < c)
        #expect(worst >= 310 && worst <= 321, "\(worst)")
        #expect(w < 1000, "calm LLM latency gives a line tighter than the shipped 1000 ms: \(w)")
        let conf = try #require(ps.first { $0.id == "asr_confidence_mean" })
        let (cw, cc) = (try #require(conf.warning), try #require(conf.critical))
        #expect(cc < cw && cw < (conf.worst ?? 0), "lower is worse: \(cw) \(cc) \(conf.worst ?? -1)")
        // Nothing ever happened: nothing to calibrate from, so the lines stay.
        let sip = try #require(ps.first { $0.id == "sip_5xx" })
        #expect(sip.warning == nil && sip.note.contains("always 0"))
    }

    @Test func tooShortAPeriodKeepsEveryLine() {
        let ps = calmEngine(minutes: 6).proposeThresholds()
        #expect(ps.allSatisfy { $0.warning == nil })
        #expect(ps.contains { $0.note.contains("fewer than 3") })
    }

    @Test func yamlListsProposalsAndKeepsTheRestAsComments() {
        let ps = calmEngine().proposeThresholds()
        let y = CalibrationText.yaml(ps, source: "turns.jsonl\nmetrics: []", from: 1_000_000, to: 1_000_720)
        let lines = y.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.filter { $0 == "metrics:" }.count == 1, "a newline in a source name cannot start a key")
        #expect(y.contains("  - id: llm_latency_p95_ms\n    warning: "))
        #expect(y.contains("rationale: \"Calibrated by dialtone from "))
        #expect(y.contains("  # sip_5xx: always 0 in the calm period: keep (was warning 5, critical 20)"))
        #expect(HealthEngine.round(1234.5) == 1230 && HealthEngine.round(0.91234) == 0.912)
    }
}
