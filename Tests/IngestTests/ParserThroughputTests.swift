import Foundation
import IncidentCore
import Testing

@testable import Ingest

/// A manual measurement, off by default: `DIALTONE_BENCH=1 swift test -c release
/// -Xswiftc -enable-testing --filter ParserThroughput`. It prints lines per second and
/// asserts only what it parsed, never the timing.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["DIALTONE_BENCH"] != nil))
struct ParserThroughputTests {
    @Test func turnLines() {
        // ~350-byte turn records, as a busy agent fleet writes them.
        var lines: [[UInt8]] = []
        for i in 0..<1_000 {
            let line =
                #"{"call_id":"call_\#(100_000 + i % 97)","turn_index":\#(i % 40),"timestamp":"2026-01-25T10:\#(10 + i % 50):\#(10 + i % 49).\#(100 + i % 900)Z","user_transcript":"I need to reschedule my appointment for next week","asr_confidence":0.\#(80 + i % 19),"intent":{"name":"reschedule_appointment","confidence":0.91},"latency_ms":{"stt":\#(150 + i % 90),"llm":\#(380 + i % 400),"tts":\#(120 + i % 80),"total":\#(700 + i % 600)},"tool_calls":[],"agent_response":"Sure."}"#
            lines.append(Array(line.utf8))
        }
        let avg = lines.reduce(0) { $0 + $1.count } / lines.count
        let p = LineParser(context: ParserFixtures.utc)
        var out: [NormalizedEvent] = []
        out.reserveCapacity(1_000)
        let rounds = 2_000
        var events = 0
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<rounds {
            for l in lines {
                _ = l.withUnsafeBufferPointer { p.parse($0, arrivalTime: 0, into: &out) }
            }
            events += out.count
            out.removeAll(keepingCapacity: true)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let n = Double(rounds * lines.count)
        print("turn lines: \(Int(n)) x \(avg) B in \(seconds) s = \(Int(n / seconds)) lines/s")
        #expect(events == rounds * lines.count)
    }
}
