import IncidentCore
import Testing

@testable import Ingest

private typealias F = HealthFixtures

/// A generated fleet, one record per signal per second, whose signals change at known times:
/// the onset of a stack must be when its signal changed, whatever aggregate reads it.
private struct OnsetFixture {
    /// Change times per kind of metric; nil leaves that signal healthy.
    var meanAt: Double?  // ASR confidence mean (Audio)
    var percentileAt: Double?  // LLM latency p95 (Intelligence)
    var countAt: Double?  // SIP 5xx count (Telephony)
    var ratioAt: Double?  // TTS error ratio (Output)

    func feed(_ e: HealthEngine, from: Double, through: Double) {
        var rng = SeededRandom(seed: 7)
        for t in stride(from: from, through: through, by: 1) {
            let jitter = Double(Int.random(in: 0...100, using: &rng)) / 1000
            e.ingest(F.call(t, answered: true))
            if let c = countAt, t >= c, Int(t - c) % 2 == 0 {
                e.ingest(F.event(t, .telephony, [(.sip5xx, 1)], summary: "INVITE 503 from 10.0.0.\(Int(t) % 7)"))
            }
            let badMean = meanAt.map { t >= $0 } ?? false
            // Centred: a slice with three bad samples of ten (a change at :x7) averages 0.794,
            // which noise of one sign alone could lift past the 0.8 line.
            let asrJitter = (jitter - 0.05) / 10
            e.ingest(F.event(t, .audio, [(.asrConfidence, (badMean ? 0.5 : 0.92) + asrJitter), (.sttLatencyMs, 200)]))
            let badP = percentileAt.map { t >= $0 } ?? false
            e.ingest(F.event(t, .intelligence, [(.llmLatencyMs, (badP ? 2500 : 300) + jitter * 100), (.llmRequest, 1)]))
            let badR = ratioAt.map { t >= $0 } ?? false
            let fails = badR && Int(t - ratioAt!) % 2 == 0
            e.ingest(
                F.event(
                    t, .output, [(.ttsTtfbMs, 120), (.ttsRequest, 1), (.ttsError, fails ? 1 : 0)],
                    level: fails ? .error : .info, summary: fails ? "tts: voice_id 'v\(Int(t))' not found (404)" : ""))
        }
    }
}

@Suite("Health true onsets and the suspected origin")
struct HealthOnsetTests {
    private func engine() -> HealthEngine { HealthEngine(playbook: F.playbook()) }

    @Test(arguments: [605.0, 611.0, 647.0])
    func eachKindOfMetricDatesItsStackFromTheSliceTheSignalChanged(at change: Double) {
        let e = engine()
        OnsetFixture(meanAt: change, percentileAt: change, countAt: change, ratioAt: change)
            .feed(e, from: 0, through: change + 240)
        let s = e.evaluate(at: e.newestEventTime!)
        let slice = (change / 10).rounded(.down) * 10
        for st in StackID.allCases {
            #expect(s.stack(st)?.state == .critical || s.stack(st)?.state == .warning, "\(st)")
            // A mean, a percentile, a count and a ratio changed at the same moment: one onset.
            #expect(s.stack(st)?.onset == slice, "\(st): \(String(describing: s.stack(st)?.onset)) vs \(slice)")
        }
    }

    @Test func healthyStacksHaveNoOnset() {
        let e = engine()
        OnsetFixture(meanAt: 300).feed(e, from: 0, through: 600)
        let s = e.evaluate(at: 600)
        #expect(s.stack(.audio)?.onset == 300)
        #expect(s.stack(.intelligence)?.onset == nil)
        #expect(s.stack(.telephony)?.onset == nil)
        #expect(s.stack(.output)?.onset == nil)
    }

    /// Audio's confidence collapses first; Intelligence slows 90 s later. The mean needs
    /// minutes to cross its line, the p95 seconds: by crossing times Intelligence came first.
    @Test(arguments: [200.0, 260.0, 290.0])
    func cascadeAudioThenIntelligenceBlamesAudio(after: Double) {
        let e = engine()
        OnsetFixture(meanAt: 600, percentileAt: 690).feed(e, from: 0, through: 600 + after)
        let s = e.evaluate(at: e.newestEventTime!)
        #expect(s.stack(.intelligence)?.state == .critical)
        #expect(s.stack(.audio)?.onset == 600)
        #expect(s.stack(.intelligence)?.onset == 690)
        #expect(s.suspectedOrigin == .audio)
    }

    @Test func textSummaryEndsWithWhatBrokeInEachTroubledStack() {
        let e = engine()
        OnsetFixture(meanAt: 600, percentileAt: 690).feed(e, from: 0, through: 860)
        let text = HealthEngine.summaryText(e.evaluate(at: e.newestEventTime!), counters: IngestCounters())
        let lines = text.split(separator: "\n").map(String.init)
        let audio = lines.first { $0.hasPrefix("What broke in Audio: ") }
        let intel = lines.first { $0.hasPrefix("What broke in Intelligence: ") }
        #expect(audio?.contains("began \(Timestamp(seconds: 600).hhmmss) UTC") == true, "\(text)")
        #expect(intel?.contains("x its baseline of") == true, "\(text)")
        #expect(!lines.contains { $0.hasPrefix("What broke in Output") })
    }

    @Test func cascadeIntelligenceThenAudioBlamesIntelligence() {
        let e = engine()
        OnsetFixture(meanAt: 690, percentileAt: 600).feed(e, from: 0, through: 960)
        let s = e.evaluate(at: e.newestEventTime!)
        #expect(s.stack(.audio)?.state == .critical)
        #expect(s.suspectedOrigin == .intelligence)
    }

    /// Followed slice by slice (the console's path), the origin moves to Audio once Audio's
    /// onset is known, and the journaled change for Audio is dated from its onset.
    @Test func followedCascadeDatesChangesFromTrueOnsets() {
        let e = engine()
        var changes: [HealthChange] = []
        for step in stride(from: 0.0, through: 900, by: 30) {
            OnsetFixture(meanAt: 600, percentileAt: 690).feed(e, from: step, through: step + 29)
            changes += e.advance(to: step + 29)
        }
        let audio = changes.first { $0.stack == .audio && ($0.to == .warning || $0.to == .critical) }
        let intel = changes.first { $0.stack == .intelligence && $0.to == .critical }
        #expect(audio?.time == 600)
        #expect(intel?.time == 690)
        #expect(e.evaluate(at: e.newestEventTime!).suspectedOrigin == .audio)
    }

    @Test func baselinesAreTheHealthyWindowBeforeTheOnset() throws {
        let e = engine()
        OnsetFixture(percentileAt: 600).feed(e, from: 0, through: 800)
        let s = e.evaluate(at: 800)
        let llm = try #require(s.metric("llm_latency_p95_ms"))
        let base = try #require(llm.baseline)
        #expect(base >= 300 && base <= 310, "\(base)")
        #expect(try #require(llm.value) > 2400)
        // A stack without an onset has no baselines.
        #expect(s.metric("tts_ttfb_p95_ms")?.baseline == nil)
    }
}
