import Foundation
import IncidentCore
import Testing

@testable import Ingest

/// The turn record fast path must agree with the full scanner on every line it accepts, and
/// leave every line it cannot handle to the scanner.
@Suite struct ParserTurnFastPathTests {
    /// Every field the turn reader collects, as text (the buffer itself excluded).
    static func fields(_ f: TurnFields) -> [String] {
        Mirror(reflecting: f).children.filter { $0.label != "b" }.map {
            "\($0.label ?? "?")=\(String(describing: $0.value))"
        }
    }

    /// (fast path accepted, fast fields, scanner accepted, scanner fields)
    static func both(_ line: [UInt8]) -> (Bool, [String], Bool, [String]) {
        line.withUnsafeBufferPointer { b in
            let scanner = JSONScanner()
            var fast = TurnFields(b)
            let fastOK = fast.scanFast()
            var slow = TurnFields(b)
            let slowOK = scanner.scan(b, &slow) != nil
            return (fastOK, fields(fast), slowOK, fields(slow))
        }
    }

    static let benchLine =
        #"{"call_id":"call_0000042","turn_index":3,"timestamp":"2026-11-21T03:00:00.010Z","user_transcript":"Can you check my order status please","asr_confidence":0.8,"intent":{"name":"reschedule","confidence":0.91},"latency_ms":{"stt":308,"llm":354,"tts":229,"total":891},"tool_calls":[{"name":"lookup","success":true,"latency_ms":47}],"agent_response":"Sure."}"#

    /// Hand-made lines for the corners: duplicates, escapes, odd value kinds, nesting.
    static let corners: [String] = [
        benchLine,
        #"  { "call_id" : "c\"1" , "turn_index" : 0 , "latency_ms" : { "stt" : "12" } }  "#,
        "{\t\"turn_index\":1,\r\n\"latency_ms\":{\"total\":5}}",
        #"{"turn_index":1,"latency_ms":{"total":5},"latency_ms":[1,2]}"#,
        #"{"turn_index":1,"latency_ms":[{"total":5}],"latency_ms":{"ttft":9}}"#,
        #"{"ttft_ms":4,"turn_index":1,"latency_ms":{"ttft":9},"ttft_ms":7}"#,
        #"{"first_partial_ms":4,"latency_ms":{"first_partial":{"x":1}},"turn_index":2}"#,
        #"{"turn_index":1,"latency_ms":{},"tool_calls":[]}"#,
        #"{"turn_index":1,"latency_ms":{},"tool_calls":[{},{"success":"true"},[{"success":true}],2,{"success":{"a":1}},{"success":false,"success":true}]}"#,
        #"{"turn_index":1,"latency_ms":{},"tool_calls":{"a":{"success":true}}}"#,
        #"{"turn_index":1,"latency_ms":{},"tool_calls":[{"x":[{"success":true}]}],"tool_calls":[{"success":1}]}"#,
        #"{"turn_index":1,"latency_ms":{"stt":NaN,"llm":-Infinity,"tts":1e3,"total":-0.5e-2}}"#,
        #"{"turn_index":null,"latency_ms":{"stt":true},"error":"LLM \u0041 timeout","task_completed":"false"}"#,
        #"{"turn_index":1,"latency_ms":{"stt":1},"call_id":12345,"timestamp":1795230000123}"#,
        #"{"turn_index":1,"latency_ms":{"stt":1},"error":{"code":5},"user_transcript":"  "}"#,
        #"{"turn\u005findex":1,"latency_ms":{"stt":1}}"#,
        #"{"turn_index":1,"latency_ms":{"stt":1}} trailing"#,
        #"{"turn_index":1,"latency_ms":{"stt":1},}"#,
        #"{"turn_index":1,"latency_ms":{"stt":1,}}"#,
        #"{"turn_index":1,"tool_calls":[1,]}"#,
        #"{"turn_index":1,"latency_ms":{"stt":tru}}"#,
        #"{"turn_index":1 "latency_ms":{"stt":1}}"#,
        #"{"turn_index":1,"latency_ms":{"stt":1}"#,
        "{\"turn_index\"\n:1}",
        "{}",
        "[]",
        "7",
        "",
    ]

    /// Containers nested `levels` deep under `key` (at the top, in latency_ms, or in a call).
    static func nested(_ levels: Int, at spot: Int) -> String {
        let inner = String(repeating: "[", count: levels) + String(repeating: "]", count: levels)
        switch spot {
        case 0: return #"{"turn_index":1,"latency_ms":{},"deep":"# + inner + "}"
        case 1: return #"{"turn_index":1,"latency_ms":{"stt":"# + inner + "}}"
        case 2: return #"{"turn_index":1,"latency_ms":{},"tool_calls":["# + inner + "]}"
        default:
            return #"{"turn_index":1,"latency_ms":{},"tool_calls":[{"success":"# + inner + "}]}"
        }
    }

    /// A small deterministic generator, so failures reproduce.
    static func check(_ line: [UInt8], _ note: String) {
        let (fastOK, fast, slowOK, slow) = both(line)
        if fastOK {
            #expect(slowOK, "fast path accepted what the scanner refuses: \(note)")
            #expect(fast == slow, "fields differ: \(note)")
        }
    }

    @Test func acceptsTheCommonShapeAndAgrees() throws {
        var lines = Self.corners.map { Array($0.utf8) }
        lines += try ParserFixtures.lines("formats/turns.jsonl")
        var accepted = 0
        for l in lines {
            let (fastOK, fast, slowOK, slow) = Self.both(l)
            let text = String(decoding: l, as: UTF8.self)
            if fastOK {
                accepted += 1
                #expect(slowOK, "fast path accepted what the scanner refuses: \(text)")
                #expect(fast == slow, "fields differ for \(text)")
            }
        }
        // The point of the fast path: the usual records must not fall back.
        #expect(Self.both(Array(Self.benchLine.utf8)).0)
        for l in try ParserFixtures.lines("formats/turns.jsonl") { #expect(Self.both(l).0) }
        #expect(accepted >= 20)
    }

    @Test func depthLimitMatchesTheScanner() {
        for spot in 0..<4 {
            for levels in 56...66 {
                let line = Array(Self.nested(levels, at: spot).utf8)
                let (fastOK, fast, slowOK, slow) = Self.both(line)
                #expect(fastOK == slowOK, "spot \(spot), \(levels) levels")
                if fastOK { #expect(fast == slow) }
            }
        }
    }

    @Test func mutatedLinesNeverDisagree() throws {
        var rng = SeededRandom(seed: 42)
        let snippets = [
            #""success":false,"#, #""latency_ms":{"ttft":5},"#, "[[[]]],", #"{"a":{}},"#,
            #""tool_calls":[{},{"success":"true"},[1],2],"#, #""ttft_ms":"3","#, " ", "\t", "\n",
            "\\", "\"", ",", ":", "{", "}", "[", "]", "e", "-", ".", "N", "t", "null", "1",
        ]
        var bases = Self.corners.prefix(15).map { Array($0.utf8) }
        bases += try ParserFixtures.lines("formats/turns.jsonl")
        var agreedOnAccept = 0
        for round in 0..<6000 {
            var l = bases[rng.below(bases.count)]
            for _ in 0...rng.below(3) {
                guard !l.isEmpty else { break }
                let at = rng.below(l.count + 1)
                switch rng.below(4) {
                case 0: l.insert(contentsOf: Array(snippets[rng.below(snippets.count)].utf8), at: at)
                case 1: if at < l.count { l.remove(at: at) }
                case 2:
                    if at < l.count { l[at] = Array(snippets[rng.below(snippets.count)].utf8)[0] }
                default: l = Array(l[0..<at])
                }
            }
            let (fastOK, fast, slowOK, slow) = Self.both(l)
            if fastOK {
                agreedOnAccept += 1
                #expect(slowOK, "round \(round): \(String(decoding: l, as: UTF8.self))")
                #expect(fast == slow, "round \(round): \(String(decoding: l, as: UTF8.self))")
            }
        }
        // Mutations that keep the line well formed must still take the fast path.
        #expect(agreedOnAccept > 500)
    }

    @Test func escapedKeysAreNotTheirUnescapedNames() {
        // Keys compare as written, on both paths: the escaped one is some other key.
        let p = LineParser(forcedFormat: .turns, context: ParserFixtures.utc)
        var out: [NormalizedEvent] = []
        let r = p.parse(
            #"{"turn\u005findex":1,"turn_index":2,"latency_ms":{"total":640},"call_id":"c9"}"#,
            arrivalTime: 1_000, into: &out)
        #expect(r == .parsed)
        #expect(out.first?.samples.value(.e2eLatencyMs) == 640)
        #expect(out.first?.callID == "c9")
    }
}
