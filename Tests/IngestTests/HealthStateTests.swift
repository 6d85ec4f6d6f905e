import IncidentCore
import Ingest
import Testing

@Suite("Health states, hysteresis and suspected origin")
struct HealthStateTests {
    typealias F = HealthFixtures

    @Test(arguments: [
        (9.99, HealthState.ok), (10, .warning), (19.99, .warning), (20, .critical), (25, .critical), (-1, .ok),
    ])
    func higherIsWorseBoundariesAreInclusive(value: Double, expected: HealthState) {
        #expect(HealthRules.state(value: value, warning: 10, critical: 20, direction: .higherIsWorse) == expected)
    }

    @Test(arguments: [
        (95.01, HealthState.ok), (95, .warning), (90.01, .warning), (90, .critical), (71, .critical), (100, .ok),
    ])
    func lowerIsWorseBoundariesAreInclusive(value: Double, expected: HealthState) {
        #expect(HealthRules.state(value: value, warning: 95, critical: 90, direction: .lowerIsWorse) == expected)
    }

    @Test func partialAndMissingThresholds() {
        #expect(HealthRules.state(value: 4, warning: nil, critical: 5, direction: .higherIsWorse) == .ok)
        #expect(HealthRules.state(value: 5, warning: nil, critical: 5, direction: .higherIsWorse) == .critical)
        #expect(HealthRules.state(value: 3, warning: 3, critical: nil, direction: .lowerIsWorse) == .warning)
        #expect(HealthRules.state(value: 1e9, warning: nil, critical: nil, direction: .higherIsWorse) == .info)
        #expect(HealthRules.state(value: nil, warning: nil, critical: nil, direction: .higherIsWorse) == .info)
        #expect(HealthRules.state(value: nil, warning: 1, critical: 2, direction: .higherIsWorse) == .noData)
    }

    private func mv(_ s: HealthState) -> MetricValue {
        MetricValue(
            id: "m", name: "m", scope: .audio, unit: "ms", value: nil, state: s, samples: 0, warning: 1,
            critical: 2, direction: .higherIsWorse, windowSeconds: 300)
    }

    @Test func stackStateIsTheWorstThresholdedMetric() {
        #expect(HealthRules.combined([mv(.ok), mv(.noData)]) == .ok)
        #expect(HealthRules.combined([mv(.noData), mv(.noData), mv(.info)]) == .noData)
        #expect(HealthRules.combined([mv(.info)]) == .info)
        #expect(HealthRules.combined([]) == .info)
        #expect(HealthRules.combined([mv(.warning), mv(.critical), mv(.ok)]) == .critical)
        #expect(HealthRules.combined([mv(.noData), mv(.warning), mv(.info)]) == .warning)
    }

    @Test func noDataVersusZeroVersusInfo() {
        let engine = HealthEngine(playbook: F.playbook())
        engine.ingest(F.event(100, .intelligence, [(.llmRequest, 1)]))
        var s = engine.evaluate(at: 100)
        // Nothing from telephony: its counts are unknown, not zero.
        #expect(s.metric("sip_5xx")?.value == nil)
        #expect(s.metric("sip_5xx")?.state == .noData)
        #expect(s.stack(.telephony)?.state == .noData)
        // Intelligence is live, so an untresholded count of rate limits reads 0 and stays info.
        #expect(s.metric("rate_limited")?.value == 0)
        #expect(s.metric("rate_limited")?.state == .info)

        // A telephony record with no samples still makes telephony live.
        engine.ingest(F.event(101, .telephony))
        engine.ingest(F.call(102, answered: true))
        s = engine.evaluate(at: 102)
        #expect(s.metric("sip_5xx")?.value == 0)
        #expect(s.metric("sip_5xx")?.state == .ok)
        // One answered call is below minSamples 5: the ratio is no data and its value null.
        #expect(s.metric("answer_seizure_ratio")?.value == nil)
        #expect(s.metric("answer_seizure_ratio")?.state == .noData)
        #expect(s.metric("answer_seizure_ratio")?.samples == 1)
        #expect(s.stack(.telephony)?.state == .ok)
        #expect(s.stack(.output)?.state == .noData)
        #expect(s.stack(.output)?.reason == "too few samples in the window")
    }

    @Test func stateReasonNamesMetricValueAndThreshold() {
        let engine = HealthEngine(playbook: F.playbook())
        for i in 0..<100 { engine.ingest(F.call(1000 + Double(i), answered: i < 71)) }
        let t = engine.evaluate(at: 1100).stack(.telephony)!
        #expect(t.state == .critical)
        #expect(t.reason == "answer-seizure ratio 71% < 90%")
    }

    /// One LLM latency metric over a 5 s window, evaluated every second with 1 s slices.
    private func latencyEngine() -> HealthEngine {
        let m = MetricDefinition(
            id: "llm_latency_p95_ms", name: "LLM latency p95", scope: .intelligence, unit: "ms",
            aggregation: .p95, signal: .llmLatencyMs, windowSeconds: 5, direction: .higherIsWorse,
            warning: 1000, critical: 2000, key: true)
        return HealthEngine(playbook: F.playbook([m]), config: HealthConfig(hysteresisSeconds: 30, sliceSeconds: 1))
    }

    @Test func hysteresisIgnoresABlipAndReportsAProblem() {
        let engine = latencyEngine()
        var changes: [HealthChange] = []
        for t in 0...320 {
            let slow = (100..<110).contains(t) || (200..<240).contains(t)
            engine.ingest(F.event(10_000 + Double(t), .intelligence, [(.llmLatencyMs, slow ? 5000 : 300)]))
            changes += engine.advance(to: 10_000 + Double(t)).filter { $0.stack == .intelligence }
        }
        #expect(changes.map(\.to) == [.ok, .critical, .ok])
        // The 10 s blip at 100 was raw-critical for ~14 s and never reported.
        #expect(!changes.contains { $0.time >= 10_090 && $0.time < 10_150 })
        let crit = changes[1]
        #expect(crit.from == .ok)
        #expect(crit.time == 10_200)
        #expect(crit.message == "Intelligence CRITICAL: LLM latency p95 5000 ms > 2000 ms over 5 s")
        #expect(changes[2].message.hasPrefix("Intelligence OK: LLM latency p95 300 ms over 5 s, was CRITICAL"))
        #expect(engine.reportedState(.intelligence) == .ok)
    }

    @Test func evaluateIgnoresHysteresis() {
        let engine = latencyEngine()
        for t in 0..<60 { engine.ingest(F.event(Double(t), .intelligence, [(.llmLatencyMs, 300)])) }
        _ = engine.advance(to: 59)
        engine.ingest(F.event(60, .intelligence, [(.llmLatencyMs, 9000)]))
        #expect(engine.advance(to: 60).filter { $0.stack == .intelligence }.isEmpty)
        #expect(engine.evaluate(at: 60).stack(.intelligence)?.state == .critical)
        #expect(engine.reportedState(.intelligence) == .ok)
    }

    @Test func advanceStepsThroughAGapBetweenCalls() {
        let engine = latencyEngine()
        for t in 0...100 {
            engine.ingest(F.event(Double(t), .intelligence, [(.llmLatencyMs, t >= 50 && t < 90 ? 5000 : 300)]))
        }
        _ = engine.advance(to: 0)
        // One call after the fact still sees the 40 s problem and the recovery, in order.
        let changes = engine.advance(to: 100).filter { $0.stack == .intelligence }
        #expect(changes.map(\.to) == [.ok, .critical])
        #expect(changes.last?.time == 50)
    }

    /// Telephony (answer ratio), Audio (ASR latency) and Intelligence (LLM latency), 60 s windows.
    private func originEngine() -> HealthEngine {
        HealthEngine(playbook: F.playbook(F.metrics(window: 60)))
    }

    private func feed(_ e: HealthEngine, _ range: StrideThrough<Double>, telBad: Range<Double>, audBad: Range<Double>) {
        for t in range {
            e.ingest(F.call(t, answered: !telBad.contains(t)))
            e.ingest(F.event(t, .audio, [(.sttLatencyMs, audBad.contains(t) ? 2500 : 200)]))
            e.ingest(F.event(t, .intelligence, [(.llmLatencyMs, 300)]))
        }
    }

    @Test func suspectedOriginIsTheFirstStackToTurnCritical() {
        let e = originEngine()
        feed(e, stride(from: 0, through: 250, by: 2), telBad: 100..<300, audBad: 150..<400)
        var s = e.evaluate(at: 250)
        #expect(s.stack(.telephony)?.state == .critical)
        #expect(s.stack(.audio)?.state == .critical)
        #expect(s.suspectedOrigin == .telephony)
        feed(e, stride(from: 252, through: 380, by: 2), telBad: 100..<300, audBad: 150..<400)
        s = e.evaluate(at: 380)
        // Telephony recovered but Audio is still critical: the incident's origin stays.
        #expect(s.stack(.telephony)?.state == .ok)
        #expect(s.stack(.audio)?.state == .critical)
        #expect(s.suspectedOrigin == .telephony)
        feed(e, stride(from: 382, through: 500, by: 2), telBad: 100..<300, audBad: 150..<400)
        s = e.evaluate(at: 500)
        #expect(s.stack(.audio)?.state == .ok)
        #expect(s.suspectedOrigin == nil)
    }

    @Test func suspectedOriginFollowsEventTimeNotRunbookOrder() {
        let e = originEngine()
        // Audio fails first; Telephony follows. The whole file is read before evaluating,
        // as `watch --once` does.
        feed(e, stride(from: 0, through: 330, by: 2), telBad: 150..<400, audBad: 100..<400)
        let s = e.evaluate(at: e.newestEventTime!)
        #expect(s.stack(.telephony)?.state == .critical)
        #expect(s.stack(.audio)?.state == .critical)
        #expect(s.suspectedOrigin == .audio)
    }
}

@Suite("Health bad input")
struct HealthBadInputTests {
    @Test func badTimesAndBadMetricDefinitionsDoNotCrash() {
        let broken = [
            MetricDefinition(
                id: "no_signal", name: "No signal", scope: .audio, unit: "ms", aggregation: .p95,
                direction: .higherIsWorse, warning: 1, critical: 2),
            MetricDefinition(
                id: "half_ratio", name: "Half ratio", scope: .telephony, unit: "%", aggregation: .ratio,
                numerator: .callAnswered, direction: .lowerIsWorse, warning: 95, critical: 90),
            MetricDefinition(
                id: "no_cutoff", name: "No cut-off", scope: .audio, unit: "%", aggregation: .shareBelow,
                signal: .mos, windowSeconds: -5, direction: .higherIsWorse, warning: 1, critical: 2),
        ]
        let engine = HealthEngine(playbook: HealthFixtures.playbook(broken))
        #expect(engine.configurationProblems.count == 4)
        #expect(engine.configurationProblems.allSatisfy { $0.hasPrefix("metric '") })
        for t in [Double.infinity, -.infinity, .nan, 1e300, -1e300, 0, 1e11] {
            engine.ingest(HealthFixtures.event(t, .audio, [(.mos, 3), (.callAnswered, 1), (.pddMs, 1e300)]))
            _ = engine.evaluate(at: t)
            _ = engine.advance(to: t)
        }
        #expect(engine.rejectedEvents == 5)
        let s = engine.evaluate(at: .nan)
        #expect(s.metric("no_signal")?.state == .noData)
        #expect(s.metric("half_ratio")?.value == nil)
    }
}
