import IncidentCore
import Ingest
import Testing

@Suite("Health windows and aggregations")
struct HealthWindowTests {
    typealias F = HealthFixtures

    @Test func eventLeavesTheWindowAfterWindowSeconds() {
        let engine = HealthEngine(playbook: F.playbook())
        engine.ingest(F.event(1000, .telephony, [(.sip5xx, 1)]))
        engine.ingest(F.event(1005, .telephony, [(.sip5xx, 1)]))
        // Keeps telephony live so an empty count reads 0, not no data.
        engine.ingest(F.event(1295, .telephony, [(.callAttempt, 1)]))
        #expect(engine.evaluate(at: 1299.9).metric("sip_5xx")?.value == 2)
        // Slices are 10 s: the event at 1000 leaves at exactly 1300, the one at 1005 with it
        // (between W - slice and W after it happened).
        let after = engine.evaluate(at: 1300).metric("sip_5xx")
        #expect(after?.value == 0)
        #expect(after?.state == .ok)
        #expect(engine.evaluate(at: 1290).metric("sip_5xx")?.value == 2)
    }

    @Test(arguments: [1000.0, 1003.7, 1009.99])
    func windowBoundsHoldForAnyOffsetInASlice(t0: Double) {
        let engine = HealthEngine(playbook: F.playbook())
        engine.ingest(F.event(t0, .telephony, [(.sip4xx, 1)]))
        engine.ingest(F.event(t0 + 295, .telephony, [(.callAttempt, 1)]))
        #expect(engine.evaluate(at: t0 + 290 - 0.001).metric("sip_4xx")?.value == 1)
        #expect(engine.evaluate(at: t0 + 300).metric("sip_4xx")?.value == 0)
    }

    @Test func percentilesMatchBruteForceWithinHdrPrecision() {
        var rng = SeededRandom(seed: 42)
        var values: [Int] = []
        let engine = HealthEngine(playbook: F.playbook())
        for i in 0..<400 {
            // A long tail, like real latency: most under a second, a few up to 9 s.
            let v = Int.random(in: 0...9, using: &rng) == 0 ? Int.random(in: 2000...9000, using: &rng) : Int.random(in: 50...1200, using: &rng)
            values.append(v)
            engine.ingest(F.event(5000 + Double(i) * 0.7, .intelligence, [(.llmLatencyMs, Double(v))]))
        }
        let sorted = values.sorted()
        let metrics = [50.0, 90.0, 95.0, 99.0].map { p -> MetricDefinition in
            MetricDefinition(
                id: "p\(Int(p))", name: "p", scope: .intelligence, unit: "ms",
                aggregation: Aggregation.allCases.first { $0.percentile == p }!, signal: .llmLatencyMs,
                direction: .higherIsWorse)
        }
        let engine2 = HealthEngine(playbook: F.playbook(metrics))
        for (i, v) in values.enumerated() {
            engine2.ingest(F.event(5000 + Double(i) * 0.7, .intelligence, [(.llmLatencyMs, Double(v))]))
        }
        let snap = engine2.evaluate(at: 5000 + 280)
        for p in [50.0, 90.0, 95.0, 99.0] {
            let rank = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
            let brute = Double(sorted[rank])
            let got = snap.metric("p\(Int(p))")?.value ?? -1
            // Three significant digits: within 0.1% (plus one unit of rounding) of the exact answer.
            #expect(abs(got - brute) <= brute * 0.001 + 1, "p\(p): \(got) vs \(brute)")
        }
        #expect(snap.metric("p99")?.samples == 400)
        let p95 = engine.evaluate(at: 5280).metric("llm_latency_p95_ms")?.value ?? 0
        #expect(abs(p95 - Double(sorted[Int((0.95 * 400).rounded(.up)) - 1])) <= 10)
    }

    @Test func fractionalValuesAreScaledBeforeTheHistogram() {
        let m = MetricDefinition(
            id: "conf_p50", name: "Confidence p50", scope: .audio, unit: "score", aggregation: .p50,
            signal: .asrConfidence, direction: .lowerIsWorse, warning: 0.8, critical: 0.6)
        let engine = HealthEngine(playbook: F.playbook([m]))
        let values = (0..<101).map { 0.5 + Double($0) * 0.005 }  // 0.500 ... 1.000
        for (i, v) in values.enumerated() { engine.ingest(F.event(100 + Double(i), .audio, [(.asrConfidence, v)])) }
        let got = engine.evaluate(at: 200).metric("conf_p50")!
        #expect(abs(got.value! - 0.75) <= 0.002)
        #expect(got.state == .warning)
    }

    @Test func ratioShareBelowMeanMaxAndLast() {
        let metrics =
            F.metrics() + [
                MetricDefinition(
                    id: "pdd_max", name: "PDD max", scope: .telephony, unit: "ms", aggregation: .max,
                    signal: .pddMs, direction: .higherIsWorse)
            ]
        let engine = HealthEngine(playbook: F.playbook(metrics))
        for i in 0..<20 {
            engine.ingest(F.call(1000 + Double(i), answered: i % 4 != 0, pdd: Double(100 * (i + 1))))
        }
        for (i, mos) in [4.4, 4.2, 3.4, 3.0, 4.1, 4.3, 3.6, 3.49, 3.5].enumerated() {
            engine.ingest(F.event(1000 + Double(i), .audio, [(.mos, mos)]))
        }
        engine.ingest(F.event(1010, .telephony, [(.concurrentCalls, 40)]))
        engine.ingest(F.event(1030, .telephony, [(.concurrentCalls, 12)]))
        // Out of order: older than the latest gauge reading, so it must not win.
        engine.ingest(F.event(1020, .telephony, [(.concurrentCalls, 99)]))
        let s = engine.evaluate(at: 1040)
        #expect(s.metric("answer_seizure_ratio")?.value == 75)
        #expect(s.metric("answer_seizure_ratio")?.state == .critical)
        #expect(s.metric("answer_seizure_ratio")?.samples == 20)
        // 3.5 itself is not below the 3.5 cut-off.
        #expect(abs((s.metric("mos_below_3_5_pct")?.value ?? 0) - 100.0 * 3 / 9) < 1e-9)
        #expect(s.metric("mos_below_3_5_pct")?.state == .critical)
        let mean = [4.4, 4.2, 3.4, 3.0, 4.1, 4.3, 3.6, 3.49, 3.5].reduce(0, +) / 9
        #expect(abs((s.metric("mos_mean")?.value ?? 0) - mean) < 1e-9)
        #expect(s.metric("pdd_max")?.value == 2000)
        #expect(s.metric("concurrent_calls")?.value == 12)
        #expect(s.metric("concurrent_calls")?.state == .info)
    }

    @Test func rateIsPerMinuteOverTheWindow() {
        let engine = HealthEngine(playbook: F.playbook())
        for i in 0..<30 { engine.ingest(F.event(1000 + Double(i) * 20, .telephony, [(.callAttempt, 1)])) }
        // Window 1300..1599 holds 15 attempts over 5 minutes.
        #expect(engine.evaluate(at: 1599).metric("call_attempts")?.value == 3)
        let young = HealthEngine(playbook: F.playbook())
        for i in 0..<10 { young.ingest(F.event(2000 + Double(i) * 6, .telephony, [(.callAttempt, 1)])) }
        // A stream one minute old divides by one minute, not by the five-minute window.
        #expect(young.evaluate(at: 2060).metric("call_attempts")?.value == 10)
    }

    @Test func outOfOrderEventsCountAndTooOldOnesAreCounted() {
        let engine = HealthEngine(playbook: F.playbook())
        engine.ingest(F.event(2000, .telephony, [(.sip5xx, 1)]))
        engine.ingest(F.event(1900, .telephony, [(.sip5xx, 1)]))  // late but within the ring
        engine.ingest(F.event(500, .telephony, [(.sip5xx, 1)]))  // long gone
        engine.ingest(F.event(.nan, .telephony, [(.sip5xx, 1)]))
        #expect(engine.evaluate(at: 2000).metric("sip_5xx")?.value == 2)
        #expect(engine.lateEvents == 1)
        #expect(engine.rejectedEvents == 1)
        #expect(engine.newestEventTime == 2000)
    }

    @Test func sparklineHasOnePointPerMinute() {
        let engine = HealthEngine(playbook: F.playbook())
        // Minute 0: 10 attempts all answered; minute 2: 10 attempts, half answered.
        for i in 0..<10 { engine.ingest(F.call(6000 + Double(i), answered: true)) }
        for i in 0..<10 { engine.ingest(F.call(6120 + Double(i), answered: i % 2 == 0)) }
        let line = engine.evaluate(at: 6179).stack(.telephony)!.sparkline
        #expect(line.count == 15)
        #expect(line[12] == 100)
        #expect(line[13] == nil)
        #expect(line[14] == 50)
        #expect(line[0] == nil)
    }
}
