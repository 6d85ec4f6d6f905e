import IncidentCore
import Testing

@testable import Ingest

private typealias F = HealthFixtures

@Suite("Error signatures")
struct ErrorTemplateTests {
    @Test(arguments: [
        ("tts: voice_id 'aria-v3' not found (404)", "tts: voice_id <*> not found (404)"),
        ("tts: voice_id \"x-99\" not found (404)", "tts: voice_id <*> not found (404)"),
        (
            "openai: 400 context_length_exceeded: this request resulted in 131072 tokens",
            "openai: 400 context_length_exceeded: this request resulted in <*> tokens"
        ),
        ("request_id=req_9f8e7d6c5b4a3 failed after 4 attempts", "request_id=<*> failed after <*> attempts"),
        ("peer 10.20.0.11:5060 refused", "peer <*> refused"),
        ("trace 3fa85f64-5717-4562-b3fc-2c963f66afa6 lost", "trace <*> lost"),
        ("model gpt-4o-mini timed out after 15.0s", "model gpt-4o-mini timed out after <*>"),
        ("  spaced\t\tout  ", "spaced out"),
    ])
    func masksWhatVaries(_ pair: (String, String)) {
        #expect(ErrorTemplate.signature(pair.0) == pair.1)
    }

    @Test func sameFaultDifferentValuesShareOneSignature() {
        let a = ErrorTemplate.signature("call failed: 503 from 10.0.0.1 after 1234 ms")
        let b = ErrorTemplate.signature("call failed: 503 from 10.0.0.2 after 87 ms")
        #expect(a == b)
        #expect(ErrorTemplate.signature("call failed: 486") != ErrorTemplate.signature("call failed: 503"))
    }

    @Test func longAndHostileTextStaysBounded() {
        let s = ErrorTemplate.signature(String(repeating: "word ", count: 1000) + "\u{1B}[31m")
        #expect(s.utf8.count <= ErrorTemplate.maxBytes)
        #expect(ErrorTemplate.signature("") == "")
        #expect(ErrorTemplate.signature("'unclosed quote 1234") == "'unclosed quote <*>")
    }
}

@Suite("Bounded windowed counts")
struct WindowedCountsTests {
    @Test func heavyHittersSurviveAFloodOfOneOffKeys() {
        var w = WindowedCounts(capacity: 8, span: 30)
        for i in 0..<10_000 {
            w.add("steady", time: Double(i), slice: i / 10)
            w.add("one-off-\(i)", time: Double(i), slice: i / 10)
        }
        #expect(w.count == 8)
        let s = w.slot(of: "steady")
        #expect(s != nil)
        // The window holds the last 30 slices: 300 of the steady key's 10,000.
        #expect(w.windowCount(s!, end: 999) == 300)
    }

    @Test func countsLeaveTheWindow() {
        var w = WindowedCounts(capacity: 4, span: 3)
        w.add("a", time: 0, slice: 0, n: 5)
        w.add("a", time: 10, slice: 1, n: 2)
        #expect(w.windowCount(0, end: 1) == 7)
        #expect(w.windowCount(0, end: 3) == 2)
        #expect(w.windowCount(0, end: 4) == 0)
        w.add("a", time: 40, slice: 4)
        #expect(w.windowCount(0, end: 4) == 1)
    }
}

@Suite("What broke: signatures, cohorts, timeouts")
struct HealthDiagnosisTests {
    private func engine() -> HealthEngine { HealthEngine(playbook: F.playbook()) }

    /// 20% of calls on a canary version; nearly all TTS failures are on it.
    private func canaryFleet(_ e: HealthEngine, calls: Int = 600) {
        var rng = SeededRandom(seed: 3)
        for c in 0..<calls {
            let t = Double(c) / 2
            let canary = c % 5 == 0
            var dims = F.event(t, .output, [(.ttsRequest, 1), (.ttsTtfbMs, 120)], call: "call-\(c)")
            dims.dimensions = ["agent_version": canary ? "2.4.0-rc1" : "2.3.9", "region": c % 2 == 0 ? "us" : "eu"]
            e.ingest(dims)
            let fails = canary ? Int.random(in: 0...9, using: &rng) < 9 : Int.random(in: 0...99, using: &rng) == 0
            if fails {
                e.ingest(
                    F.event(
                        t, .output, [(.ttsError, 1)], call: "call-\(c)", level: .error,
                        summary: "tts: voice_id 'voice-\(c % 7)' not found (404) token=sk-ABCDEFGHIJKLMNOPQRSTUV123"))
            }
        }
    }

    @Test func errorsAreGroupedCountedAndRedacted() throws {
        let e = engine()
        canaryFleet(e)
        let s = e.evaluate(at: e.newestEventTime!)
        let out = try #require(s.stack(.output)?.diagnosis)
        let top = try #require(out.errors.first)
        #expect(top.signature == "tts: voice_id <*> not found (404) token=<*>")
        #expect(out.errors.count == 1)
        #expect(top.sharePct == 100)
        #expect(top.count > 50)
        #expect(top.firstSeen <= top.lastSeen)
        #expect(top.lastSeen <= s.time)
        #expect(!top.example.contains("sk-ABCDEFGHIJ"), "\(top.example)")
        #expect(top.example.contains("voice_id"))
    }

    @Test func overRepresentedVersionIsNamedAndBalancedRegionIsNot() throws {
        let e = engine()
        canaryFleet(e)
        let s = e.evaluate(at: e.newestEventTime!)
        let cohorts = try #require(s.stack(.output)?.diagnosis.cohorts)
        let c = try #require(cohorts.first)
        #expect(c.dimension == "agent_version" && c.value == "2.4.0-rc1")
        #expect(c.failingSharePct > 80)
        #expect(abs(c.overallSharePct - 20) < 3, "\(c.overallSharePct)")
        #expect(!cohorts.contains { $0.dimension == "region" })
        #expect(!cohorts.contains { $0.value == "2.3.9" })
    }

    @Test func noCohortWhenFailuresAreSpreadLikeCalls() {
        let e = engine()
        for c in 0..<600 {
            var ev = F.event(Double(c) / 2, .output, [(.ttsRequest, 1)], call: "c\(c)")
            ev.dimensions = ["agent_version": c % 4 == 0 ? "b" : "a"]
            e.ingest(ev)
            if c % 7 == 3 {
                e.ingest(F.event(Double(c) / 2, .output, [(.ttsError, 1)], call: "c\(c)", level: .error, summary: "boom"))
            }
        }
        #expect(e.evaluate(at: e.newestEventTime!).stack(.output)?.diagnosis.cohorts == [])
    }

    @Test func failuresClusteringAtOneDurationAreATimeout() throws {
        let e = engine()
        for c in 0..<200 {
            let t = Double(c)
            let timedOut = c % 3 == 0
            // The measurements, then the error, as one record split in two events.
            e.ingest(F.event(t, .intelligence, [(.llmRequest, 1), (.llmLatencyMs, timedOut ? 15_000 + Double(c % 5) : 300 + Double(c))]))
            if timedOut {
                e.ingest(F.event(t, .intelligence, [(.llmError, 1)], level: .error, summary: "llm: upstream timeout (504)"))
            } else if c % 7 == 0 {
                e.ingest(F.event(t, .intelligence, [(.llmError, 1)], level: .error, summary: "llm: bad request (400)"))
            }
        }
        let s = e.evaluate(at: e.newestEventTime!)
        let t = try #require(s.stack(.intelligence)?.diagnosis.timeouts.first)
        #expect(t.operation == "llm")
        #expect(t.atMs == 15_000)
        #expect(t.count == 67)
        #expect(t.sharePct > 60 && t.sharePct < 100)
    }

    @Test func quickRefusalsAreNotTimeouts() {
        let e = engine()
        for c in 0..<200 {
            let t = Double(c)
            e.ingest(F.event(t, .output, [(.ttsRequest, 1), (.ttsTtfbMs, 80)]))
            e.ingest(F.event(t, .output, [(.ttsError, 1)], level: .error, summary: "voice not found"))
        }
        #expect(e.evaluate(at: e.newestEventTime!).stack(.output)?.diagnosis.timeouts == [])
    }

    @Test func memoryStaysBoundedWhateverTheCardinality() {
        let e = engine()
        for c in 0..<20_000 {
            var ev = F.event(
                Double(c) / 50, .output, [(.ttsError, 1)], call: "call-\(c)", level: .error,
                summary: "failure kind \(UInt64(c) &* 0x9E37_79B9_7F4A_7C15 % 1_000_003) zz\(c)q")
            ev.dimensions = ["pod": "pod-\(c)"]
            e.ingest(ev)
        }
        let s = e.evaluate(at: e.newestEventTime!)
        let d = s.stack(.output)!.diagnosis
        #expect(d.errors.count <= 5)
        #expect(e.diagnosisCallsTracked <= HealthConfig().maxCodecCalls)
    }
}

@Suite("Cohort dimensions are the configured ones")
struct CohortDimensionConfigTests {
    private func feed(_ e: HealthEngine) {
        for c in 0..<600 {
            let t = Double(c) / 2
            let bad = c % 5 == 0
            var ev = F.event(t, .output, [(.ttsRequest, 1)], call: "c\(c)")
            ev.dimensions = ["agent_version": bad ? "rc" : "ga", "shard": bad ? "s1" : "s2"]
            e.ingest(ev)
            if bad { e.ingest(F.event(t, .output, [(.ttsError, 1)], call: "c\(c)", level: .error, summary: "boom")) }
        }
    }

    @Test func unlistedNamesAreIgnoredAndListedOnesCount() {
        let byDefault = HealthEngine(playbook: F.playbook())
        feed(byDefault)
        let d = byDefault.evaluate(at: byDefault.newestEventTime!).stack(.output)!.diagnosis.cohorts
        #expect(d.map(\.dimension) == ["agent_version"])
        var cfg = HealthConfig()
        cfg.cohortDimensions = ["shard", "shard", ""]
        let custom = HealthEngine(playbook: F.playbook(), config: cfg)
        feed(custom)
        let c = custom.evaluate(at: custom.newestEventTime!).stack(.output)!.diagnosis.cohorts
        #expect(c.map(\.dimension) == ["shard"])
        #expect(c.first?.value == "s1")
    }

    @Test func aPlaybooksDimensionsJoinTheDefaults() {
        var pb = F.playbook()
        pb.dimensions = ["shard"]
        let e = HealthEngine(playbook: pb)
        feed(e)
        let c = e.evaluate(at: e.newestEventTime!).stack(.output)!.diagnosis.cohorts
        #expect(Set(c.map(\.dimension)) == ["agent_version", "shard"])
    }
}
