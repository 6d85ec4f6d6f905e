import Foundation
import IncidentCore
import Testing

@testable import Ingest

@Suite struct ParserFormatTests {
    @Test func turns() throws {
        let r = try ParserFixtures.run(file: "formats/turns.jsonl")
        #expect(r.stats.unparsed == 0)
        #expect(r.stats.lines(of: .turns) == 3)
        let turns = r.events(.turn)
        let first = try #require(turns.first)
        #expect(first.callID == "call_abc123")
        #expect(first.time == 1_769_337_000)
        #expect(first.samples.value(.sttLatencyMs) == 180)
        #expect(first.samples.value(.llmLatencyMs) == 420)
        #expect(first.samples.value(.llmRequest) == 1)
        #expect(first.samples.value(.ttsTtfbMs) == 150)
        #expect(first.samples.value(.ttsRequest) == 1)
        #expect(first.samples.value(.e2eLatencyMs) == 750)
        #expect(first.samples.value(.asrConfidence) == 0.94)
        #expect(first.samples.value(.emptyTranscript) == nil)
        #expect(r.values(.emptyTranscript) == [1])  // turn 4 heard nothing
        #expect(r.values(.toolCall) == [1, 1, 1])
        #expect(r.values(.toolSuccess) == [1, 0, 1])
        // Calls ride on their turn's event; only a turn whose event is full has tool events.
        #expect(r.events(.tool).allSatisfy { $0.stack == .intelligence })
        for tool in r.events(.tool) {
            let full = turns.first { $0.time == tool.time && $0.samples.count >= Samples.capacity - 1 }
            #expect(full != nil, "a tool event at \(tool.time) while its turn had room")
        }
        #expect(r.events(.tool).count < 3)
        #expect(turns.filter { $0.samples.value(.toolSuccess) == 0 }.allSatisfy { $0.level == .warning })
        // Turn 5: numbers as strings, +01:00 offset, task outcome on a second event.
        #expect(r.values(.sttLatencyMs).last == 150)
        #expect(r.values(.asrConfidence).last == 0.88)
        #expect(r.values(.taskCompleted) == [1])
        #expect(turns.last?.time == 1_769_337_005)
        #expect(turns.last?.level == .info)  // "error": null is no error
    }

    /// Tool calls ride on the turn's event while it has room (a sample each, so success is a
    /// per-call ratio); the rest get events of their own, and nothing is counted twice.
    @Test func toolCallsBeyondTheTurnEventsRoomGetTheirOwnEvents() {
        let calls = (0..<6).map { #"{"name":"t\#($0)","success":\#($0 != 4)}"# }.joined(separator: ",")
        let line =
            #"{"call_id":"c1","turn_index":1,"timestamp":"2026-01-25T10:30:00Z","latency_ms":{"stt":1,"llm":2,"tts":3,"total":6},"tool_calls":["# + calls + "]}"
        let r = ParserFixtures.run(line, format: .turns)
        #expect(r.values(.toolCall) == [1, 1, 1, 1, 1, 1])
        #expect(r.values(.toolSuccess) == [1, 1, 1, 1, 0, 1])
        let turn = r.events(.turn)
        #expect(turn.count == 1)
        // stt, llm + request, tts + request, total: 6 samples, room for two calls of 2 each.
        #expect(turn.first?.samples.count == Samples.capacity)
        #expect(r.events(.tool).count == 4)
        #expect(r.events(.tool).allSatisfy { $0.stack == .intelligence && $0.callID == "c1" })
        #expect(r.events(.tool).filter { $0.level == .warning }.count == 1)
    }

    @Test func turnErrorsAndNegativeLatencies() {
        let r = ParserFixtures.run(
            #"{"call_id":"c","turn_index":1,"timestamp":"2026-01-25T10:30:00Z","latency_ms":{"stt":-5,"llm":"NaN","tts":NaN,"total":700},"error":"llm timeout"}"#
        )
        #expect(r.stats.rejectedSamples == 3)
        #expect(r.values(.sttLatencyMs).isEmpty)
        #expect(r.values(.e2eLatencyMs) == [700])
        #expect(r.values(.llmError) == [1])
        #expect(r.events.first?.level == .error)
    }

    @Test func liveKitJSON() throws {
        let r = try ParserFixtures.run(file: "formats/livekit.jsonl")
        #expect(r.stats.unparsed == 0)
        #expect(r.values(.ttftMs) == [410])
        #expect(r.values(.llmLatencyMs) == [1_200, 5_000])
        #expect(r.values(.llmRequest).count == 3)
        #expect(r.values(.llmError) == [1, 1])  // ttft -1, and the 429
        #expect(r.values(.rateLimited) == [1])
        #expect(r.values(.ttsTtfbMs) == [187])
        #expect(r.values(.eouDelayMs) == [630, 700])
        #expect(r.values(.transcriptionDelayMs) == [310, 700])
        #expect(r.values(.sttLatencyMs).isEmpty)  // streaming STT: duration 0 is no latency
        #expect(r.events.first?.stack == .intelligence)
        #expect(r.events.first?.time == 1_795_236_314.026186)
        #expect(r.events.last?.level == .warning)
    }

    @Test func liveKitDevModeText() throws {
        let r = try ParserFixtures.run(file: "formats/livekit-dev.log")
        #expect(r.stats.unparsed == 0)
        #expect(r.values(.ttftMs) == [360])
        #expect(r.values(.llmLatencyMs) == [900])
        #expect(r.values(.ttsTtfbMs) == [250])
        #expect(r.values(.rateLimited) == [1])
        #expect(r.events.first?.time == 1_795_236_314.026)
    }

    @Test func pipecat() throws {
        let r = try ParserFixtures.run(file: "formats/pipecat.log")
        #expect(r.stats.unparsed == 0)
        #expect(r.values(.ttsTtfbMs) == [1_595.3352451324463])
        #expect(r.values(.ttftMs) == [412])
        #expect(r.values(.llmLatencyMs) == [1_250])
        #expect(r.values(.sttLatencyMs) == [230])
        #expect(r.values(.llmError) == [1])
        #expect(r.events[2].kind == .llm && r.events[2].samples.count == 0)  // token usage
        #expect(r.events.last?.stack == .intelligence)
        #expect(r.events.last?.level == .error)
    }

    @Test func kamailio() throws {
        let r = try ParserFixtures.run(file: "formats/kamailio.log")
        #expect(r.sum(.callAttempt) == 3)
        #expect(r.sum(.callAnswered) == 1)
        #expect(r.sum(.callFailed) == 2)
        #expect(r.sum(.sip4xx) == 1)
        #expect(r.sum(.sip5xx) == 1)
        #expect(r.sum(.sip503) == 1)
        #expect(r.events.first?.time == 1_795_236_169)
        #expect(r.events.first?.trunk == "carrier-a.example")
        #expect(r.events[1].callID == "c2@10.0.0.5")
    }

    @Test func openSIPS() throws {
        let r = try ParserFixtures.run(file: "formats/opensips.log")
        #expect(r.sum(.optionsFailure) == 1)
        #expect(r.events.map(\.trunk) == ["4.55.19.33:5060", "4.55.19.34:5060"])
        #expect(r.events.allSatisfy { $0.kind == .sipOptions })
        #expect(r.events.first?.time == 1_795_236_180)  // syslog time, year from context
    }

    @Test func asterisk() throws {
        let r = try ParserFixtures.run(file: "formats/asterisk.log")
        #expect(r.stats.unparsed == 0)
        #expect(r.sum(.optionsFailure) == 1)
        #expect(r.events[0].trunk == "668")
        #expect(r.events[0].time == 1_770_032_723)
        #expect(r.events[1].samples.count == 0)
        let qos = r.events(.rtpQuality)
        #expect(qos.count == 2)
        #expect(qos[0].samples.value(.oneWayAudio) == nil)
        #expect(qos[0].samples.value(.jitterMs) == 0)
        #expect(qos[0].samples.value(.packetLossPct) == 0)
        #expect(qos[0].callID == "C-0000001a")
        #expect(qos[1].samples.value(.oneWayAudio) == 1)  // txcount=0
        #expect(qos[1].samples.value(.jitterMs) == 31.5)
        #expect(qos[1].samples.value(.packetLossPct) == 5)  // 50 lost of 1000 expected
        #expect(r.events.last?.level == .warning)
    }

    @Test func freeSWITCH() throws {
        let r = try ParserFixtures.run(file: "formats/freeswitch.log")
        #expect(r.sum(.optionsFailure) == 1)
        #expect(r.events[0].trunk == "test")
        #expect(r.sum(.callEnded) == 3)
        #expect(r.sum(.callSucceeded) == 1)
        #expect(r.sum(.callFailed) == 1)  // NO_ROUTE_DESTINATION; a caller's cancel is no failure
        #expect(r.events[1].callID == "sofia/internal/2001@192.168.0.107")
    }

    @Test func twilio() throws {
        let r = try ParserFixtures.run(file: "formats/twilio.jsonl")
        #expect(r.stats.unparsed == 0)
        #expect(r.sum(.callAttempt) == 3)  // ringing is not counted; finals are
        #expect(r.sum(.callSucceeded) == 1)
        #expect(r.sum(.callFailed) == 2)
        #expect(r.sum(.sip503) == 1)
        #expect(r.sum(.sip4xx) == 1)
        #expect(r.events[1].time == 1_795_236_211)
        let insights = try #require(r.events(.rtpQuality).first)
        #expect(insights.samples.value(.pddMs) == 2_310)
        #expect(insights.samples.value(.packetLossPct) == 1.7)
        #expect(insights.samples.value(.jitterMs) == 12.5)
        #expect(insights.samples.value(.mos) == 4.1)
        #expect(insights.codec == "PCMU")
        #expect(insights.callID == "CA1")
    }

    @Test func telnyx() throws {
        let r = try ParserFixtures.run(file: "formats/telnyx.jsonl")
        #expect(r.sum(.callAttempt) == 1)
        #expect(r.sum(.callEnded) == 2)
        #expect(r.sum(.callFailed) == 1)
        #expect(r.sum(.callSucceeded) == 1)
        #expect(r.values(.mos) == [4.5, 3.1])
        #expect(r.values(.jitterMs) == [2.74, 31])
        #expect(r.events[1].callID == "sess-1")
        #expect(r.events[1].level == .warning)
    }

    @Test func vapi() throws {
        let r = try ParserFixtures.run(file: "formats/vapi.jsonl")
        #expect(r.sum(.callEnded) == 5)
        #expect(r.sum(.callSucceeded) == 1)
        #expect(r.sum(.callFailed) == 4)
        #expect(r.events.map(\.stack) == [.intelligence, nil, .output, .audio, .telephony])
        #expect(r.values(.llmError) == [1])
        #expect(r.values(.ttsError) == [1])
        #expect(r.values(.taskCompleted) == [0, 1])
        #expect(r.events[0].time == 1_795_236_169)
        #expect(r.events[0].callID == "vapi-call-1")
    }

    @Test func retell() throws {
        let r = try ParserFixtures.run(file: "formats/retell.jsonl")
        #expect(r.values(.e2eLatencyMs) == [1_240, 2_900])
        #expect(r.values(.llmLatencyMs) == [610])
        #expect(r.values(.ttsTtfbMs) == [260])
        #expect(r.values(.sttLatencyMs) == [190])
        #expect(r.sum(.callSucceeded) == 1)
        #expect(r.values(.llmError) == [1])
        #expect(r.values(.oneWayAudio) == [1])
        #expect(r.events.map(\.stack) == [nil, .intelligence, .audio, .telephony])
        #expect(r.events[1].callID == "re_2")
        #expect(r.events[0].time == 1_795_236_169)
    }

    @Test func fieldMappingsForJSONAndLogfmt() {
        let mappings = [
            FieldMapping(
                id: "deepgram", format: "json", match: ["component": "stt"], stack: .audio,
                timeField: "ts", callIdField: "ctx.call",
                signals: ["timing.latency_s": .sttLatencyMs],
                scale: ["timing.latency_s": 1000]),
            FieldMapping(
                id: "sbc", format: "logfmt", match: ["evt": "options"], stack: .telephony,
                trunkField: "peer", signals: ["failed": .optionsFailure]),
        ]
        let ctx = ParseContext(
            timeZone: TimeZone(identifier: "UTC")!, currentYear: 2026, fieldMappings: mappings)
        let r = ParserFixtures.run(
            [
                #"{"component":"stt","ts":1795236169.5,"ctx":{"call":"k1"},"timing":{"latency_s":0.25}}"#,
                #"{"component":"tts","ts":1795236170,"level":"error","message":"boom"}"#,
                #"2026-11-21T04:42:49Z evt=options peer="carrier b" failed=1"#,
                "level=warn msg=\"disk low\" host=a1",
            ].joined(separator: "\n"), context: ctx)
        #expect(r.stats.unparsed == 0)
        #expect(r.events[0].samples.value(.sttLatencyMs) == 250)
        #expect(r.events[0].stack == .audio)
        #expect(r.events[0].callID == "k1")
        #expect(r.events[0].time == 1_795_236_169.5)
        #expect(r.events[1].samples.count == 0)
        #expect(r.events[1].kind == .error)
        #expect(r.events[1].summary == "boom")
        #expect(r.events[2].trunk == "carrier b")
        #expect(r.events[2].samples.value(.optionsFailure) == 1)
        #expect(r.events[2].time == 1_795_236_169)
        #expect(r.events[3].level == .warning)
        #expect(r.events[3].summary == "disk low")
    }
}
