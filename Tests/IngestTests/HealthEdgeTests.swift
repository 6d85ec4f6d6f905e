import IncidentCore
import Testing

@testable import Ingest

@Suite("Health edges: shares stay shares")
struct HealthEdgeTests {
    @Test func answerSeizureRatioIsCappedWhenAWindowEdgeSplitsCalls() {
        let pb = Playbook(
            name: "t", title: "t",
            metrics: [
                MetricDefinition(
                    id: "answer_seizure_ratio", name: "Answer-seizure ratio", scope: .telephony, unit: "%",
                    aggregation: .ratio, numerator: .callAnswered, denominator: .callAttempt, direction: .lowerIsWorse,
                    warning: 95, critical: 90, minSamples: 1)
            ])
        let engine = HealthEngine(playbook: pb)
        // Answers whose attempts fell before the window: 12 answers, 10 attempts seen.
        for i in 0..<12 {
            var s = Samples()
            if i < 10 { s.append(.callAttempt, 1) }
            s.append(.callAnswered, 1)
            engine.ingest(NormalizedEvent(time: 1_795_230_000 + Double(i), stack: .telephony, kind: .sipCall, samples: s))
        }
        #expect(engine.evaluate(at: 1_795_230_012).metric("answer_seizure_ratio")?.value == 100)
    }

    @Test func failedSynthesisCountsAsARequest() {
        let parser = LineParser(forcedFormat: .turns)
        var events: [NormalizedEvent] = []
        let line =
            #"{"call_id":"c1","turn_index":1,"timestamp":"2026-11-21T03:00:00Z","user_transcript":"hi","latency_ms":{"stt":100,"llm":300},"error":"tts: voice id aria-v3 not found"}"#
        _ = parser.parse(line, arrivalTime: 0, into: &events)
        let all = events.flatMap { Array($0.samples) }
        #expect(all.contains { $0.0 == .ttsError })
        #expect(all.filter { $0.0 == .ttsRequest }.count == 1)
    }
}
