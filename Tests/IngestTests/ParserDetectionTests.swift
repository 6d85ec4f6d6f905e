import Foundation
import Testing

@testable import Ingest

@Suite struct ParserDetectionTests {
    @Test(arguments: [
        (#"{"call_id":"c","turn_index":3,"latency_ms":{"stt":1}}"#, LogFormat.turns),
        (#"{"message": "LLM metrics", "name": "livekit.agents", "ttft": 0.4}"#, .livekit),
        (#"{"message": "TTS metrics", "ttfb": 0.2}"#, .livekit),
        ("2026-11-21 04:45:14,026 INFO livekit.agents LLM metrics {\"ttft\": 0.41}", .livekit),
        (
            "2026-11-21 04:45:14,026 WARNING x failed to generate LLM completion: status_code=429",
            .livekit
        ),
        (
            "2026-03-05 20:57:41.553 | DEBUG    | pipecat.x:y:1 - OpenAITTSService#0 TTFB: 1.5",
            .pipecat
        ),
        ("----------------------------------------------- 2026-11-21 04:42:49.379138", .sipp),
        (
            "Nov 21 04:42:49 h kamailio[1]: NOTICE: acc [acc.c:1]: ACC: transaction answered: code=200",
            .kamailio
        ),
        (
            "DBG:dispatcher:ds_options_callback: OPTIONS-Request was finished with code 408 (to sip:1.2.3.4:5060, group 2)",
            .opensips
        ),
        ("[Feb  2 11:45:23] NOTICE[1362] chan_sip.c: Peer '668' is now UNREACHABLE!", .asterisk),
        ("[Feb  2 11:45:23] VERBOSE[1] pbx.c: anything", .asterisk),
        (
            "2025-01-22 12:01:58.522687 [WARNING] sofia.c:6417 Ping failed test with code 408",
            .freeswitch
        ),
        (#"{"CallSid":"CA1","CallStatus":"completed"}"#, .twilio),
        (#"{"call_sid":"CA1","carrier_edge":{}}"#, .twilio),
        (#"{"data":{"event_type":"call.hangup"}}"#, .telnyx),
        (#"{"message":{"type":"end-of-call-report"}}"#, .vapi),
        (#"{"call_id":"r","disconnection_reason":"user_hangup"}"#, .retell),
        (#"{"level":"info","msg":"hello"}"#, .json),
        ("ts=2026-01-01T00:00:00Z level=info msg=hi", .logfmt),
        ("2026-01-01T00:00:00Z level=info msg=hi", .logfmt),
    ])
    func detects(_ line: String, _ format: LogFormat) {
        #expect(LineParser.detect(line) == format)
    }

    @Test(arguments: [
        "", "   ", "hello world", "just some text = not logfmt", "------", "-----x 2026",
        "a=1", "GET /index.html 200",
    ])
    func rejects(_ line: String) {
        #expect(LineParser.detect(line) == nil)
    }

    @Test func mixedFileIsReadLineByLine() throws {
        var lines = try ParserFixtures.lines("formats/turns.jsonl")
        lines += try ParserFixtures.lines("formats/pipecat.log")
        lines += try ParserFixtures.lines("sipp/reject503-uac.trace")
        lines += try ParserFixtures.lines("formats/telnyx.jsonl")
        lines.append(Array("this line means nothing to anyone".utf8))
        let r = ParserFixtures.run(lines)
        #expect(r.stats.lines(of: .turns) == 3)
        #expect(r.stats.lines(of: .pipecat) == 7)
        #expect(r.stats.lines(of: .telnyx) == 3)
        #expect(r.events(.sipMessage).count == 12)  // INVITE, 100, 503, ACK for three calls
        #expect(r.stats.unparsed == 1)
        #expect(r.results.last == .unparsed)
    }

    @Test func forcedFormatSkipsDetection() {
        let r = ParserFixtures.run(#"{"level":"info","msg":"x"}"#, format: .turns)
        #expect(r.results == [.unparsed])
        let ok = ParserFixtures.run(#"{"level":"info","msg":"x"}"#, format: .json)
        #expect(ok.results == [.parsed])
    }

    @Test func aTurnStreamThatChangesShapeIsStillRead() {
        let r = ParserFixtures.run(
            [
                #"{"call_id":"c","turn_index":1,"timestamp":"2026-01-25T10:30:00Z","latency_ms":{"total":700}}"#,
                #"{"message":{"type":"end-of-call-report","endedReason":"customer-ended-call"}}"#,
                #"{"call_id":"c","turn_index":2,"timestamp":"2026-01-25T10:30:04Z","latency_ms":{"total":800}}"#,
            ].joined(separator: "\n"))
        #expect(r.stats.lines(of: .turns) == 2)
        #expect(r.stats.lines(of: .vapi) == 1)
        #expect(r.values(.e2eLatencyMs) == [700, 800])
    }
}

@Suite struct ParserTurnShapeTests {
    @Test func latencyWithoutTurnIndexIsNotATurnOnTheFastPath() {
        let r = ParserFixtures.run(
            [
                #"{"call_id":"c","turn_index":1,"timestamp":"2026-01-25T10:30:00Z","latency_ms":{"total":700}}"#,
                #"{"service":"db","latency_ms":{"total":9000},"msg":"slow query"}"#,
            ].joined(separator: "\n"))
        #expect(r.values(.e2eLatencyMs) == [700])
        #expect(r.events.last?.kind == .log)
        #expect(r.events.last?.summary == "slow query")
    }

    @Test func telnyxConnectionIsTheTrunk() throws {
        let r = try ParserFixtures.run(file: "formats/telnyx.jsonl")
        #expect(r.events.first?.trunk == "conn-7")
    }
}
