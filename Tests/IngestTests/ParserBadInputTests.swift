import Foundation
import IncidentCore
import Testing

@testable import Ingest

/// Hostile and broken input: never a crash, never a hang, and `.unparsed` when nothing could
/// be read.
@Suite struct ParserBadInputTests {
    static let corpus: [[UInt8]] = {
        var c: [[UInt8]] = [
            [0xFF, 0xFE, 0x7B, 0x22, 0x61],  // invalid UTF-8 then "{"a
            Array(#"{"call_id":"c\#u{0}","turn_index":1,"latency_ms":{"total":7"#.utf8),  // NUL, truncated
            Array(#"{"call_id":"c","turn_index":1,"latency_ms":{"total":"#.utf8),
            Array(#"{"turn_index":1,"latency_ms":{"total":1"#.utf8) + [0] + Array("}}".utf8),
            Array(String(repeating: "[", count: 10_000).utf8),
            Array((String(repeating: #"{"latency_ms":"#, count: 10_000) + "1").utf8),
            Array(("{\"turn_index\":" + String(repeating: "9", count: 400) + "}").utf8),
            Array("{\"a\":\"\\".utf8),  // escape at the very end
            Array("{".utf8), Array("}".utf8), Array("[]".utf8), Array("\"".utf8),
            Array("----------------------------------------------- 9999-99-99 99:99:99".utf8),
            Array("[Feb 31 99:99:99] NOTICE[1] x".utf8),
            Array("ACC: ".utf8), Array("ACC: call missed: code=".utf8),
            Array("RTPAUDIOQOS: lp=;rxcount=;rlp=-5;txcount=abc".utf8),
            Array("x=1 y=\"unterminated".utf8),
            Array("2026-03-05 20:57:41.553 | DEBUG    | a - OpenAITTSService#0 TTFB: ".utf8),
            Array(
                "2026-03-05 20:57:41.553 | DEBUG    | a - OpenAITTSService#0 TTFB: 1e999999s".utf8),
            Array("OPTIONS-Request was finished with code ".utf8),
            Array("Ping failed ".utf8), Array("Hangup ".utf8), Array(" is now ".utf8),
            Array(
                #"{"data":{"event_type":"call.hangup","payload":{"sip_hangup_cause":"9e999"}}}"#
                    .utf8),
            Array(#"{"CallSid":5,"CallStatus":{"x":[1,2]},"Timestamp":"Sat, 99 Foo 2026"}"#.utf8),
            Array(
                #"{"message":{"type":"end-of-call-report","endedReason":7,"timestamp":-1e308}}"#
                    .utf8),
            Array(
                #"{"call_id":"r","disconnection_reason":null,"latency":{"e2e":{"p95":"-3"}}}"#.utf8),
            Array(
                #"{"call_id":"c","turn_index":1,"timestamp":"9999-12-31T23:59:59Z","latency_ms":{"total":1}}"#
                    .utf8),
            Array(
                #"{"call_id":"c","turn_index":1,"timestamp":1e400,"latency_ms":{"total":1}}"#.utf8),
        ]
        // Binary junk, deterministic.
        var rng = SeededRandom(seed: 42)
        for len in [1, 7, 64, 350, 4096] {
            c.append((0..<len).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
        }
        c.append([UInt8](repeating: 0, count: 1000))
        c.append([UInt8](repeating: 0x2D, count: 100_000))  // a sea of dashes
        return c
    }()

    @Test func corpusNeverCrashesUnderAnyFormat() {
        for format in [nil] + LogFormat.allCases.map(Optional.some) {
            let r = ParserFixtures.run(Self.corpus, format: format)
            #expect(r.results.count == Self.corpus.count)
            #expect(r.events.allSatisfy { $0.time.isFinite })
            #expect(r.events.allSatisfy { e in e.samples.allSatisfy { $0.1.isFinite } })
        }
    }

    @Test func brokenJSONIsUnparsed() {
        // Index 6 (a 400-digit number) is valid JSON, so it is a generic record; the rest is not.
        let r = ParserFixtures.run(Array(Self.corpus[0..<6]) + [Self.corpus[7]])
        #expect(r.results.allSatisfy { $0 == .unparsed })
        #expect(r.events.isEmpty)
    }

    @Test func absurdTimesAreCounted() {
        let r = ParserFixtures.run(Array(Self.corpus.suffix(from: 28).prefix(2)))
        #expect(r.stats.badTimes == 2)
        #expect(r.events.allSatisfy { $0.timeWasInferred && $0.time == 1_000 })
    }

    @Test func mangledFixturesNeverCrash() throws {
        var lines: [[UInt8]] = []
        for f in [
            "formats/turns.jsonl", "formats/livekit.jsonl", "formats/pipecat.log",
            "formats/asterisk.log",
            "formats/twilio.jsonl", "formats/retell.jsonl", "sipp/latering-uac.trace",
        ] {
            lines += try ParserFixtures.lines(f)
        }
        var rng = SeededRandom(seed: 7)
        var mangled: [[UInt8]] = []
        for _ in 0..<20 {
            for l in lines where !l.isEmpty {
                var m = l
                switch rng.next() % 4 {
                case 0: m = Array(m.prefix(Int(rng.next() % UInt64(m.count))))
                case 1: m[Int(rng.next() % UInt64(m.count))] = UInt8(truncatingIfNeeded: rng.next())
                case 2:
                    m.insert(contentsOf: [0x22, 0x5C, 0x7B], at: Int(rng.next() % UInt64(m.count)))
                default: m.removeSubrange(0..<Int(rng.next() % UInt64(m.count)))
                }
                mangled.append(m)
            }
        }
        let r = ParserFixtures.run(mangled)
        #expect(r.results.count == mangled.count)
        #expect(r.stats.lines == mangled.count)
    }
}
