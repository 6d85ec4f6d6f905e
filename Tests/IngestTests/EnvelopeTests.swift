import Foundation
import IncidentCore
import Testing

@testable import Ingest

/// Lines inside the wrappers log pipelines add read exactly as the bare lines do, with the
/// wrapper's origin on every event and its time where the line has none
/// (Fixtures/envelopes, made by make.py from the bare fixtures).
@Suite struct EnvelopeTests {
    static let inner = [
        "pipecat": "pipecat/llm-standin.log", "livekit": "livekit/json.log",
        "sipperr": "sipp/four/reject503-uac-errors.log", "turns": "formats/turns.jsonl",
        "kamailio": "servers/kamailio-stderr.log",
    ]
    static let kinds: [(String, EventOrigin.Envelope)] = [
        ("kubectl", .kubectl), ("kubectl-bare", .kubectl), ("docker", .docker),
        ("journald", .journald), ("loki", .loki), ("aws", .awsLogs), ("vector", .vector),
        ("fluentbit", .fluentBit),
    ]
    /// make.py's first envelope time, 2026-12-06T21:40:36.664Z, and its step.
    static let base = 1_796_593_236.664

    static func signals(_ r: ParserFixtures.Run) -> [Signal: [Double]] {
        var d = [Signal: [Double]]()
        for s in Signal.allCases {
            let v = r.values(s)
            if !v.isEmpty { d[s] = v.sorted() }
        }
        return d
    }

    @Test(arguments: ["pipecat", "livekit", "sipperr", "turns", "kamailio"])
    func wrappedLinesReadLikeBareOnes(inner: String) throws {
        let bare = try ParserFixtures.run(file: Self.inner[inner]!)
        #expect(bare.events.count > 0)
        for (file, kind) in Self.kinds {
            let name = "envelopes/\(file)-\(inner).log"
            let r = try ParserFixtures.run(file: name)
            let lines = try ParserFixtures.lines(name).count
            #expect(r.stats.lines(in: kind) == lines, "\(name)")
            #expect(r.stats.unparsed == bare.stats.unparsed, "\(name)")
            #expect(r.events.count == bare.events.count, "\(name)")
            #expect(Self.signals(r) == Self.signals(bare), "\(name)")
            #expect(r.events.map(\.kind) == bare.events.map(\.kind), "\(name)")
            #expect(r.events.map(\.level) == bare.events.map(\.level), "\(name)")
            #expect(r.events.map(\.callID) == bare.events.map(\.callID), "\(name)")
            #expect(r.events.map(\.summary) == bare.events.map(\.summary), "\(name)")
            #expect(r.events.allSatisfy { $0.origin?.envelope == kind }, "\(name)")
            for (w, b) in zip(r.events, bare.events) {
                if !b.timeWasInferred {
                    #expect(w.time == b.time, "\(name): the line's own time wins")
                } else if file != "kubectl-bare" {
                    // The wrapper's time, on make.py's 100 ms grid.
                    #expect(!w.timeWasInferred, "\(name)")
                    let step = ((w.time - Self.base) / 0.1).rounded()
                    #expect(abs(w.time - (Self.base + step * 0.1)) < 0.001, "\(name) \(w.time)")
                }
            }
        }
    }

    @Test func originsNameWhatTheWrapperSaid() throws {
        func origin(_ file: String) throws -> EventOrigin {
            try #require(try ParserFixtures.run(file: "envelopes/\(file)-kamailio.log").events.first?.origin)
        }
        let k = try origin("kubectl")
        #expect(k.pod == "voice-agent-7c9f6d5b8-x2kqp" && k.container == "agent")
        #expect(k.description == "voice-agent-7c9f6d5b8-x2kqp/agent")
        #expect(try origin("docker").stream == "stdout")
        let j = try origin("journald")
        #expect(j.host == "sbc-1" && j.stream == "voice-agent")
        let l = try origin("loki")
        #expect(l.labels == #"app="voice-agent", container="agent", pod="voice-agent-7c9f6d5b8-x2kqp""#)
        #expect(l.pod == "voice-agent-7c9f6d5b8-x2kqp" && l.container == "agent")
        #expect(try origin("aws").stream == "ecs/voice-agent/3f2a9c1e7b4d4e0f")
        #expect(try origin("vector").host == "agent-1")
        let f = try origin("fluentbit")
        #expect(f.pod == "voice-agent-7c9f6d5b8-x2kqp" && f.container == "agent" && f.host == "node-3")
    }

    @Test func eventsOfOneOriginShareOneObject() throws {
        let r = try ParserFixtures.run(file: "envelopes/docker-pipecat.log")
        let stdout = r.events.compactMap(\.origin).filter { $0.stream == "stdout" }
        #expect(stdout.count > 10)
        #expect(stdout.allSatisfy { $0 === stdout[0] })
    }

    @Test func dockerEscapesAreDecoded() {
        let line = #"{"log":"14(20820) INFO: \u003cscript\u003e: say \"hi\"\tnow\n","stream":"stdout","time":"2026-12-06T21:40:36.5Z"}"#
        let r = ParserFixtures.run(line)
        #expect(r.events.first?.summary == "<script>: say \"hi\"\tnow")
        #expect(r.events.first?.time == 1_796_593_236.5)
    }

    /// The driver's own layout is read by a fast path, any other by search: the same event.
    @Test func dockerLayoutsReadAlike() throws {
        let log = #""log":"14(20820) ERROR: tm [t_lookup.c:1450]: a\\b\/c \"q\" \u00e9\n""#
        let lines = [
            "{" + log + #","stream":"stderr","time":"2026-12-06T21:40:36.5Z"}"#,
            "{" + log + #","time":"2026-12-06T21:40:36.5Z","stream":"stderr"}"#,
            "{" + log + #", "stream" : "stderr", "time" : "2026-12-06T21:40:36.5Z" }"#,
        ]
        for line in lines {
            let e = try #require(ParserFixtures.run(line).events.first, "\(line)")
            #expect(e.summary.hasSuffix(#"a\b/c "q" é"#), "\(line): \(e.summary)")
            #expect(e.time == 1_796_593_236.5, "\(line)")
            #expect(e.origin?.envelope == .docker && e.origin?.stream == "stderr", "\(line)")
        }
    }

    @Test func notEnvelopes() {
        // LiveKit's own JSON has `message` and `timestamp` but is no Vector record.
        let livekit =
            #"{"message": "TTS metrics", "level": "INFO", "name": "livekit.agents", "ttfb": 0.2, "timestamp": "2026-12-06T21:40:36+00:00"}"#
        #expect(ParserFixtures.run(livekit).events.first?.origin == nil)
        #expect(ParserFixtures.run(livekit).values(.ttsTtfbMs) == [200])
        // A Vector record around a line dialtone does not know stays one JSON record.
        let vector = #"{"host":"a","message":"hello there","source_type":"file","timestamp":"2026-12-06T21:40:36Z"}"#
        #expect(ParserFixtures.run(vector).events.first?.origin == nil)
        for line in [
            "2026-12-06T21:40:36Z level=info msg=x", "2026-12-06T21:40:36Z {\"ttft\": 0.4}",
            "[pod/x", "[pod/]", "2026-12-06T21:40:36 no/zone line", "{\"log\":1,\"stream\":\"stdout\"}",
            "{\"log\":\"x\"}",
        ] {
            #expect(ParserFixtures.run(line).events.allSatisfy { $0.origin == nil }, "\(line)")
        }
    }

    @Test func brokenEnvelopesNeverCrash() {
        for line in [
            #"{"log":"unterminated"#, #"{"log":"\u12"#, #"{"log":"\"#, "[pod/a/b] ",
            "2026-12-06T21:40:36Z {a=\"unterminated", "2026-12-06T21:40:36Z {", #"{ "__CURSOR" : "x", "MESSAGE" : [1,2]}"#,
            #"{"date":1e999,"log":"x\n"}"#, "2026-12-06T21:40:36.5+00:00 a/b",
        ] {
            let r = ParserFixtures.run(line)
            #expect(r.results.count == 1)
        }
    }

    @Test func aForcedRecordFormatReadsTheWrapperItself() {
        let line = #"{"log":"14(20820) INFO: x\n","stream":"stdout","time":"2026-12-06T21:40:36Z"}"#
        let r = ParserFixtures.run(line, format: .json)
        #expect(r.events.allSatisfy { $0.origin == nil })
        #expect(r.stats.lines(in: .docker) == 0)
    }
}

@Suite struct EnvelopeDecodeTests {
    /// Decodes `body` (a JSON string body followed by its closing quote) the way the
    /// envelope reader does, and as Foundation's JSON decoder does.
    static func both(_ body: String) throws -> (String?, String?) {
        let p = LineParser()
        let line = Array(("{\"log\":\"" + body + "\"}").utf8)
        let ours = line.withUnsafeBufferPointer { b in
            p.decodeString(b, from: 8).map { r in
                String(decoding: UnsafeBufferPointer(start: p.envelopeBuffer, count: r.count), as: UTF8.self)
            }
        }
        let theirs = try? JSONDecoder().decode([String: String].self, from: Data(line))["log"]
        return (ours, theirs)
    }

    @Test(arguments: [
        "plain text that runs past eight bytes", #"say \"hi\" \\ back\/slash"#, #"\u003cscript\u003e \u0026"#,
        #"\ud83d\ude00 smile"#, #"tab\there\nnewline\r"#, "ünïcödé ∑", "", "a", #"\""#, "x\\u00e9y",
        String(repeating: "0123456789", count: 50) + #"\"end"#,
    ])
    func decodesLikeFoundation(body: String) throws {
        let (ours, theirs) = try Self.both(body)
        #expect(ours == theirs)
    }

    /// Escapes at every offset of the sixteen-byte blocks, runs of them, and bodies ending
    /// anywhere near a block's end: the same text as Foundation's decoder gives.
    @Test func decodesLikeFoundationAtEveryBlockOffset() throws {
        var rng = SeededRandom(seed: 7)
        let pieces = [#"\""#, #"\\"#, #"\/"#, #"\n"#, #"\u00e9"#, "a", "bc", "0123456789abcdef", "é"]
        for _ in 0..<2_000 {
            var body = String(repeating: "x", count: Int.random(in: 0..<17, using: &rng))
            for _ in 0..<Int.random(in: 0..<12, using: &rng) { body += pieces.randomElement(using: &rng)! }
            let (ours, theirs) = try Self.both(body)
            #expect(ours == theirs, "\(body)")
        }
    }

    @Test(arguments: [#"\u12"#, #"\ud83d alone"#, #"\"#, #"\u"#, #"\uZZZZ"#])
    func brokenEscapesNeverCrash(body: String) throws {
        let p = LineParser()
        for line in ["{\"log\":\"" + body + "\"}", "{\"log\":\"" + body] {
            let bytes = Array(line.utf8)
            _ = bytes.withUnsafeBufferPointer { p.decodeString($0, from: 8) }
        }
    }
}
