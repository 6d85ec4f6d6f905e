import IncidentCore
import Ingest
import Testing

@Suite("Health per trunk, codecs and failed calls")
struct HealthTrunkCodecTests {
    typealias F = HealthFixtures
    let good = "127.0.0.1:5070"
    let bad = "127.0.0.1:5072"

    @Test func telephonyIsBrokenDownPerTrunk() {
        let engine = HealthEngine(playbook: F.playbook(), config: HealthConfig(hysteresisSeconds: 0))
        // All within one 10 s slice, so every evaluation step sees the final numbers.
        for i in 0..<20 {
            let t = 1000 + Double(i) * 0.4
            engine.ingest(F.call(t, answered: true, trunk: good, pdd: 600))
            engine.ingest(F.call(t + 0.2, answered: i % 2 == 0, trunk: bad, pdd: 5000))
            if i % 2 == 1 { engine.ingest(F.event(t + 0.2, .telephony, [(.sip5xx, 1), (.sip503, 1)], trunk: bad)) }
        }
        let s = engine.evaluate(at: 1009.9)
        let g = s.trunks[good]!
        let b = s.trunks[bad]!
        #expect(g.state == .ok)
        #expect(g.metrics.first { $0.id == "answer_seizure_ratio" }?.value == 100)
        #expect(g.metrics.first { $0.id == "sip_5xx" }?.value == 0)
        #expect(b.state == .critical)
        #expect(b.metrics.first { $0.id == "answer_seizure_ratio" }?.value == 50)
        #expect(b.metrics.first { $0.id == "sip_5xx" }?.value == 10)
        #expect(b.metrics.first { $0.id == "sip_5xx" }?.state == .warning)
        #expect(b.metrics.first { $0.id == "sip_503" }?.value == 10)
        #expect(b.metrics.first { $0.id == "post_dial_delay_p95_ms" }?.state == .critical)
        // Gauges stay global; the trunk view has no concurrent-calls metric.
        #expect(!b.metrics.contains { $0.id == "concurrent_calls" })
        #expect(s.metric("answer_seizure_ratio")?.value == 75)

        let changes = engine.advance(to: 1009.9)
        let tel = changes.first { $0.stack == .telephony && $0.to == .critical }
        #expect(tel?.to == .critical)
        #expect(tel?.message == "Telephony CRITICAL: answer-seizure ratio 75% < 90% over 5 min (trunk \(bad))")
        let trunkChange = changes.first { $0.trunk == bad }
        #expect(trunkChange?.message == "Trunk \(bad) CRITICAL: answer-seizure ratio 50% < 90% over 5 min")
        // A healthy trunk appearing is not news.
        #expect(!changes.contains { $0.trunk == good })
    }

    @Test func trunkCountIsBoundedAndTheQuietestIsEvicted() {
        let engine = HealthEngine(playbook: F.playbook(), config: HealthConfig(maxTrunks: 4))
        for i in 0..<50 { engine.ingest(F.call(1000 + Double(i), answered: true, trunk: "busy:5060")) }
        for n in 0..<10 { engine.ingest(F.call(1060 + Double(n), answered: true, trunk: "t\(n):5060")) }
        let s = engine.evaluate(at: 1070)
        #expect(s.trunks.count == 4)
        #expect(s.trunks["busy:5060"] != nil)
        #expect(s.trunks["t9:5060"] != nil)
        #expect(engine.memoryStats.trunksTracked == 4)
    }

    @Test func codecChangeRaisesAnAudioWarningNamingTheTrunk() {
        let engine = HealthEngine(playbook: F.playbook(), config: HealthConfig(hysteresisSeconds: 0))
        for i in 0..<5 {
            let e = F.event(1000 + Double(i), .telephony, [(.callAttempt, 1)], trunk: bad, codec: "PCMU", call: "c\(i)")
            engine.ingest(e)
            engine.ingest(e)  // the same call reported twice counts once
        }
        engine.ingest(F.event(1001, .telephony, [(.callAttempt, 1)], trunk: good, codec: "pcma", call: "g1"))
        for i in 0..<5 { engine.ingest(F.event(1000 + Double(i), .audio, [(.sttLatencyMs, 200)])) }
        var s = engine.evaluate(at: 1010)
        #expect(s.codecs == ["PCMU": 5, "PCMA": 1])
        #expect(s.codecAlerts.isEmpty)
        #expect(s.stack(.audio)?.state == .ok)
        _ = engine.advance(to: 1010)

        for i in 0..<3 {
            engine.ingest(F.event(1020, .telephony, [(.callAttempt, 1)], trunk: bad, codec: "G729", call: "x\(i)"))
        }
        s = engine.evaluate(at: 1030)
        #expect(s.codecs == ["PCMU": 5, "PCMA": 1, "G729": 3])
        #expect(s.codecAlerts.count == 1)
        #expect(s.codecAlerts.first?.message == "codec on trunk \(bad) changed PCMU -> G729 (3 calls)")
        #expect(s.stack(.audio)?.state == .warning)
        #expect(s.stack(.audio)?.reason == "codec on trunk \(bad) changed PCMU -> G729 (3 calls)")
        let audio = engine.advance(to: 1030).first { $0.stack == .audio }
        #expect(audio?.message == "Audio WARNING: codec on trunk \(bad) changed PCMU -> G729 (3 calls)")

        // Once the odd calls leave the codec window the warning clears.
        engine.ingest(F.event(1400, .audio, [(.sttLatencyMs, 200)]))
        s = engine.evaluate(at: 1400)
        #expect(s.codecAlerts.isEmpty)
        #expect(s.codecs.isEmpty)
    }

    @Test func recentFailedCallsAreBoundedPerStack() {
        let engine = HealthEngine(playbook: F.playbook())
        for i in 0..<60 {
            engine.ingest(
                F.event(
                    1000 + Double(i), .telephony, [(.callAttempt, 1), (.sip503, 1)], call: "call-\(i)",
                    summary: "INVITE answered 503 Service Unavailable"))
            // A second record about the same failed call is not a second failure.
            engine.ingest(F.event(1000 + Double(i), .telephony, [(.callFailed, 1)], call: "call-\(i)"))
        }
        engine.ingest(F.event(2000, .intelligence, [(.llmError, 1)], call: "llm-1"))
        engine.ingest(F.event(2001, .output, level: .error, summary: "TTS websocket closed"))
        let tel = engine.recentFailedCalls(.telephony)
        #expect(tel.count == 50)
        #expect(tel.first?.callID == "call-10")
        #expect(tel.last?.callID == "call-59")
        #expect(tel.last?.reason == "INVITE answered 503 Service Unavailable")
        #expect(engine.recentFailedCalls(.intelligence).map(\.reason) == ["llm_error"])
        #expect(engine.recentFailedCalls(.output).map(\.reason) == ["TTS websocket closed"])
        #expect(engine.recentFailedCalls(.audio).isEmpty)
    }
}
