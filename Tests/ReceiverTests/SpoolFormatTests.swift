import Foundation
import Ingest
import Testing

@testable import Receiver

/// The spool's record shape: what the receiver writes, Ingest reads as the wrapped line.
@Suite struct SpoolFormatTests {
    /// Lines of several formats, each with its own time.
    static let lines = [
        #"{"turn_index":4,"call_id":"c9","timestamp":"2026-12-06T10:00:00Z","latency_ms":{"stt":210,"llm":640,"tts":180,"total":1100}}"#,
        "2026-12-06 10:00:01.250 | DEBUG    | pipecat.processors.metrics:start_ttfb_metrics:51 - OpenAILLMService#0 TTFB: 0.733",
        #"{"message": "TTS metrics", "ttfb": 0.2, "timestamp": "2026-12-06T10:00:02Z", "level": "INFO", "name": "livekit.agents"}"#,
        "2026-12-06T10:00:03Z level=info msg=\"a\\\"quoted\\\" \\u00e9 tab\\there\"",
    ]

    func wrap(_ line: String, format: String? = nil) -> String {
        var r = SpoolRecord(time: 1_796_600_000.5, via: "lines", line: line)
        r.format = format
        var out: [UInt8] = []
        r.encode(into: &out)
        #expect(out.last == UInt8(ascii: "\n"))
        return String(decoding: out.dropLast(), as: UTF8.self)
    }

    @Test func wrappedLinesReadExactlyAsBareLines() {
        let bare = LineParser()
        let spooled = LineParser()
        var a: [NormalizedEvent] = []
        var b: [NormalizedEvent] = []
        for line in Self.lines {
            let ra = bare.parse(line, arrivalTime: 5, into: &a)
            let wrapped = wrap(line)
            #expect(LineParser.detect(wrapped) == .spool)
            let rb = spooled.parse(wrapped, arrivalTime: 5, into: &b)
            #expect(ra == rb, "\(line)")
        }
        #expect(!a.isEmpty)
        #expect(a == b)
    }

    @Test func escapingRoundTripsControlBytesQuotesAndUnicode() {
        let tricky = "say \"hi\"\\ \u{1}\u{7f} caf\u{e9} \u{1F600}\ttab\r"
        let wrapped = wrap(tricky)
        #expect(!wrapped.contains("\n"))
        #expect(wrapped.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7f })
        // Parsed generically, the line comes back whole in the summary of an unparsed-but-
        // severity-bearing record: use the severity path to see the text.
        var r = SpoolRecord(time: 1_796_600_000, via: "otlp-log", line: tricky)
        r.severity = "ERROR"
        var out: [UInt8] = []
        r.encode(into: &out)
        let p = LineParser()
        var events: [NormalizedEvent] = []
        #expect(p.parse(String(decoding: out.dropLast(), as: UTF8.self), arrivalTime: 0, into: &events) == .parsed)
        #expect(events.first?.summary == tricky)
        #expect(events.first?.level == .error)
        #expect(events.first?.kind == .error)
        #expect(events.first?.time == 1_796_600_000)
    }

    @Test func recordTimeStandsInForALineWithoutOne() {
        let p = LineParser()
        var events: [NormalizedEvent] = []
        // A Pipecat-style message without its time prefix is unparsed; a logfmt line without
        // time takes the record's time.
        _ = p.parse(wrap("level=warn component=tts msg=slow"), arrivalTime: 7, into: &events)
        #expect(events.count <= 1)
        if let e = events.first {
            #expect(e.time == 1_796_600_000.5)
            #expect(!e.timeWasInferred)
        }
        let bare = LineParser()
        var none: [NormalizedEvent] = []
        _ = bare.parse("no reader knows this line", arrivalTime: 7, into: &none)
        var wrappedOut: [NormalizedEvent] = []
        // Without a severity, a line no reader knows stays unparsed, as in a file.
        #expect(p.parse(wrap("no reader knows this line"), arrivalTime: 7, into: &wrappedOut) == .unparsed)
    }

    @Test func forcedFormatIsHonoured() {
        let p = LineParser()
        var events: [NormalizedEvent] = []
        let line = Self.lines[0]
        #expect(p.parse(wrap(line, format: "turns"), arrivalTime: 0, into: &events) == .parsed)
        #expect(events.first?.kind == .turn)
        // Forced to a format that does not read it: unparsed, as `FORMAT:` on a source does.
        var none: [NormalizedEvent] = []
        #expect(p.parse(wrap(line, format: "pipecat"), arrivalTime: 0, into: &none) == .unparsed)
        #expect(none.isEmpty)
    }

    @Test func spanRecordsGiveSignalsAndRefuseNegativeDurations() {
        var r = SpoolRecord(time: 1_796_600_000, via: "otlp-span")
        r.span = "tts_cartesiattsservice"
        r.kind = "tts"
        r.stack = "output"
        r.signals = [("tts_request", 1), ("tts_ttfb_ms", -5)]
        var out: [UInt8] = []
        r.encode(into: &out)
        let p = LineParser()
        var events: [NormalizedEvent] = []
        #expect(p.parse(String(decoding: out.dropLast(), as: UTF8.self), arrivalTime: 0, into: &events) == .parsed)
        #expect(events.count == 1)
        #expect(events[0].samples.value(.ttsRequest) == 1)
        #expect(events[0].samples.value(.ttsTtfbMs) == nil)
        #expect(p.stats.rejectedSamples == 1)
        #expect(events[0].stack == .output)
    }

    @Test func nestedAndTruncatedRecordsAreRefusedNotCrashed() {
        let p = LineParser()
        var events: [NormalizedEvent] = []
        let nested = wrap(wrap("x=1 y=2"))
        #expect(p.parse(nested, arrivalTime: 0, into: &events) == .unparsed)
        let cut = String(wrap(Self.lines[0]).dropLast(5))
        #expect(p.parse(cut, arrivalTime: 0, into: &events) == .unparsed)
        #expect(events.isEmpty)
    }
}
