import IncidentCore
import Ingest
import Testing

@Suite("Health memory bound")
struct HealthMemoryTests {
    typealias F = HealthFixtures

    /// A million events over two hours of event time: three steady trunks plus a new trunk
    /// every minute, a codec on every call, failures now and then. Everything the engine keeps
    /// must stay the same size however long the stream runs.
    @Test func structuresStayBoundedOverAMillionEvents() {
        let config = HealthConfig(maxTrunks: 64, failedCallsPerStack: 50, maxCodecCalls: 4096)
        let engine = HealthEngine(playbook: F.playbook(), config: config)
        let total = 1_000_000
        let span = 7200.0
        let steady = ["10.0.0.1:5060", "10.0.0.2:5060", "10.0.0.3:5060"]
        // One pre-built event per shape, only the time changes: the loop measures the engine.
        var call = F.call(0, answered: true, trunk: steady[0], pdd: 900, call: "x")
        var failed = F.event(0, .telephony, [(.callAttempt, 1), (.sip503, 1)], trunk: steady[1], call: "y")
        var llm = F.event(0, .intelligence, [(.llmRequest, 1), (.llmLatencyMs, 420), (.ttftMs, 180)])
        var audio = F.event(0, .audio, [(.sttLatencyMs, 210), (.asrConfidence, 0.91), (.mos, 4.2)])
        var afterTenThousand: HealthMemoryStats?
        var minutesSeen = -1
        var churn = F.event(0, .telephony, [(.pddMs, 700)], trunk: "")
        for i in 0..<total {
            let t = 1_700_000_000 + span * Double(i) / Double(total)
            switch i % 4 {
            case 0:
                call.time = t
                call.trunk = steady[i % 3]
                call.callID = "call-\(i % 10_000)"
                call.codec = i % 8 == 0 ? "PCMU" : "PCMA"
                engine.ingest(call)
            case 1:
                failed.time = t
                engine.ingest(failed)
            case 2:
                llm.time = t
                engine.ingest(llm)
            default:
                audio.time = t
                engine.ingest(audio)
            }
            let minute = Int((t - 1_700_000_000) / 60)
            if minute != minutesSeen {
                minutesSeen = minute
                churn.time = t
                churn.trunk = "172.16.\(minute).9:5060"
                engine.ingest(churn)
            }
            if i == 10_000 { afterTenThousand = engine.memoryStats }
        }
        let end = engine.memoryStats
        let early = afterTenThousand!
        #expect(end.ringSlots == early.ringSlots)
        #expect(end.metricCount == early.metricCount)
        #expect(end.trunksTracked == 64)
        #expect(end.trunkRingSlots == 64 * (early.trunkRingSlots / early.trunksTracked))
        #expect(end.codecCallsTracked <= 4096)
        #expect(end.failedCallsKept <= 4 * 50)
        // At most one histogram per slot per percentile metric (5 here) plus one per trunk slot.
        #expect(end.histogramsAllocated <= end.ringSlots * 5 + end.trunkRingSlots)
        #expect(engine.lateEvents == 0)
        let snap = engine.evaluate(at: engine.newestEventTime!)
        #expect(snap.trunks.count == 64)
        #expect(snap.trunks[steady[0]] != nil)
        #expect(snap.metric("answer_seizure_ratio")?.value == 50)
        #expect(snap.codecs.values.reduce(0, +) <= 4096)
    }

    /// A follower's engine holds every histogram of its ring from the start (its memory is
    /// flat from the first minute); a one-shot engine allocates a slice's only when it fills.
    @Test func preallocatedRingHoldsItsHistogramsFromTheStart() {
        let lazy = HealthEngine(playbook: F.playbook())
        let eager = HealthEngine(playbook: F.playbook(), config: HealthConfig(preallocateHistograms: true))
        let slots = eager.memoryStats.ringSlots
        #expect(lazy.memoryStats.histogramsAllocated == 0)
        let full = eager.memoryStats.histogramsAllocated
        #expect(full >= slots && full % slots == 0, "a whole number of histograms per slot")
        var t = 1_700_000_000.0
        for _ in 0..<5_000 {
            let e = F.event(t, .intelligence, [(.llmRequest, 1), (.llmLatencyMs, 420), (.ttftMs, 180)])
            lazy.ingest(e)
            eager.ingest(e)
            t += 1
        }
        // The slices wiped on the way were refilled as they came round again: never more.
        #expect(eager.memoryStats.histogramsAllocated <= full)
        #expect(lazy.memoryStats.histogramsAllocated > 0)
        let p95 = eager.evaluate(at: t).metric("llm_latency_p95_ms")?.value
        #expect(p95 == 420)
        #expect(lazy.evaluate(at: t).metric("llm_latency_p95_ms")?.value == p95)
    }
}
