import Foundation
import IncidentCore
import Ingest
import Testing

@testable import Receiver

/// OTLP messages, built here in Swift, to spool records.
@Suite struct OTLPMappingTests {
    func kv(_ k: String, _ v: String) -> OTLPKeyValue {
        var a = OTLPAnyValue()
        a.stringValue = v
        var kv = OTLPKeyValue()
        kv.key = k
        kv.value = a
        return kv
    }

    func kv(_ k: String, _ v: Double) -> OTLPKeyValue {
        var a = OTLPAnyValue()
        a.doubleValue = v
        var kv = OTLPKeyValue()
        kv.key = k
        kv.value = a
        return kv
    }

    @Test func mapBodiesBecomeJSONAndSeverityNumbersNamed() {
        var lr = OTLPLogRecord()
        var list = OTLPKeyValueList()
        list.values = [kv("message", "TTS metrics"), kv("ttfb", 0.125)]
        lr.body.kvlistValue = list
        lr.severityNumber = 13
        lr.attributes = [kv("code.filepath", "/app/agent.py")]
        var sl = OTLPScopeLogs()
        sl.logRecords = [lr]
        var rl = OTLPResourceLogs()
        rl.scopeLogs = [sl]
        rl.resource.attributes = [kv("k8s.pod.name", "p-1")]
        var req = OTLPExportLogsServiceRequest()
        req.resourceLogs = [rl]
        let batch = OTLPMapping.logs(req, receivedAt: 1_796_600_000)
        #expect(batch.rejected == 0)
        #expect(batch.records.count == 1)
        let r = batch.records[0]
        // The SDK's code.* attributes say nothing about the voice stack and are left out.
        #expect(r.line == #"{"message":"TTS metrics","ttfb":0.125}"#)
        #expect(r.severity == "WARN")
        #expect(r.origin.pod == "p-1")
        #expect(r.time == 1_796_600_000)  // no time in the record: the time it arrived
        // And the line is LiveKit's: TTS TTFB in ms.
        let p = LineParser()
        var events: [NormalizedEvent] = []
        _ = p.parse(r.line!, arrivalTime: 0, into: &events)
        #expect(events.first?.samples.value(.ttsTtfbMs) == 125)
    }

    func span(_ name: String, start: UInt64, end: UInt64, _ attrs: [OTLPKeyValue] = [], error: Bool = false) -> OTLPSpan {
        var s = OTLPSpan()
        s.name = name
        s.startTimeUnixNano = start
        s.endTimeUnixNano = end
        s.attributes = attrs
        if error { s.status.code = 2 }
        return s
    }

    @Test func spansBecomeTheSignalsOfTheirLogLines() {
        let t0: UInt64 = 1_796_600_000_000_000_000
        var ss = OTLPScopeSpans()
        ss.spans = [
            span(
                "llm_request", start: t0, end: t0 + 1_500_000_000,
                [kv("lk.llm_metrics", #"{"ttft": 0.4, "duration": 1.5}"#), kv("gen_ai.request.model", "gpt-4o-mini")]),
            span("user_turn", start: t0, end: t0 + 1, [kv("lk.end_of_utterance_delay", 0.6), kv("lk.transcription_delay", 0.25)]),
            span("tts_elevenlabs", start: t0, end: t0 + 2, error: true),
            span("", start: t0, end: t0),
            span("stt_x", start: t0 + 5, end: t0),
            span("chat gpt-4o", start: t0, end: t0 + 800_000_000, [kv("gen_ai.operation.name", "chat")]),
        ]
        var rs = OTLPResourceSpans()
        rs.scopeSpans = [ss]
        var req = OTLPExportTraceServiceRequest()
        req.resourceSpans = [rs]
        let batch = OTLPMapping.spans(req, receivedAt: 0)
        #expect(batch.rejected == 2)
        #expect(batch.records.count == 4)
        let byName = Dictionary(batch.records.map { ($0.span ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        let llm = byName["llm_request"]!
        #expect(llm.kind == "llm" && llm.stack == "intelligence" && llm.model == "gpt-4o-mini")
        #expect(llm.signals.map(\.0) == ["llm_request", "ttft_ms", "llm_latency_ms"])
        #expect(llm.signals.map(\.1) == [1, 400, 1500])
        #expect(llm.time == 1_796_600_001.5)
        let eou = byName["user_turn"]!
        #expect(eou.signals.map(\.0) == ["eou_delay_ms", "transcription_delay_ms"])
        #expect(eou.signals.map(\.1) == [600, 250])
        let tts = byName["tts_elevenlabs"]!
        #expect(tts.level == "error")
        #expect(tts.signals.map(\.0) == ["tts_request", "tts_error"])
        // A GenAI span named by its operation: the span's own duration is the LLM latency.
        let chat = byName["chat gpt-4o"]!
        #expect(chat.signals.map(\.0) == ["llm_request", "llm_latency_ms"])
        #expect(chat.signals.map(\.1) == [1, 800])
    }

    @Test func protobufResponsesCarryPartialSuccess() throws {
        let dir = NSTemporaryDirectory() + "/dialtone-intake-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let intake = Intake(spool: try SpoolWriter(directory: dir), clock: ManualTime(wall: 1_796_600_000))
        var ss = OTLPScopeSpans()
        ss.spans = [span("", start: 1, end: 2), span("tts_x", start: 1, end: 2)]
        var rs = OTLPResourceSpans()
        rs.scopeSpans = [ss]
        var req = OTLPExportTraceServiceRequest()
        req.resourceSpans = [rs]
        let body: [UInt8] = try req.serializedBytes()
        let reply = intake.traces(body, .protobuf, peer: "10.0.0.9")
        #expect(reply.status == 200)
        let resp = try OTLPExportTraceServiceResponse(serializedBytes: reply.body)
        #expect(resp.partialSuccess.rejectedSpans == 1)
        #expect(resp.partialSuccess.errorMessage.contains("without a name"))
        let text = try String(contentsOfFile: dir + "/spool.ndjson", encoding: .utf8)
        #expect(text.split(separator: "\n").count == 1)
        #expect(text.contains("\"peer\":\"10.0.0.9\""))
    }
}

/// The spool files: rotation by size, a bounded total, and their mode.
@Suite struct SpoolWriterTests {
    @Test func rotatesBoundsTotalAndCreates0640() throws {
        let dir = NSTemporaryDirectory() + "/dialtone-spool-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let w = try SpoolWriter(directory: dir, fileLimit: 4096, totalLimit: 3 * 4096)
        let line = Array((String(repeating: "x", count: 999) + "\n").utf8)
        for _ in 0..<40 { try w.append(line, records: 1) }
        #expect(w.recordsWritten == 40)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        let rotated = names.filter { $0.hasPrefix("spool-") }
        #expect(names.contains("spool.ndjson"))
        #expect(!rotated.isEmpty)
        var total = 0
        for n in names {
            var st = stat()
            #expect(stat(dir + "/" + n, &st) == 0)
            #expect(st.st_mode & 0o777 == 0o640, "\(n)")
            #expect(Int(st.st_size) <= 4096, "\(n)")
            // Whole lines only: every file ends at a record's end.
            #expect(Int(st.st_size) % line.count == 0, "\(n)")
            total += Int(st.st_size)
        }
        #expect(total <= 3 * 4096)
        // The newest records survive: the current file plus the newest rotated ones.
        #expect(total / line.count >= 8)
    }
}

/// `/v1/lines` bodies as senders really write them.
@Suite struct LinesIntakeTests {
    @Test func crlfBlankLinesAndInvalidUTF8() throws {
        let dir = NSTemporaryDirectory() + "/dialtone-lines-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let intake = Intake(spool: try SpoolWriter(directory: dir), clock: ManualTime(wall: 1_796_600_000))
        var body = Array("a=1 b=2\r\n \t\r\n\n".utf8)
        body += [0x63, 0x3d, 0xff, 0xfe, 0x20, 0x64, 0x3d, 0x34]  // "c=\xff\xfe d=4", no final newline
        let reply = intake.lines(body, format: nil, peer: "127.0.0.1")
        #expect(reply.status == 200)
        #expect(reply.records == 2)
        let text = try String(contentsOfFile: dir + "/spool.ndjson", encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        #expect(lines[0].hasSuffix("\"line\":\"a=1 b=2\"}"))  // the CR is not part of the line
        #expect(lines[1].hasSuffix("\"line\":\"c=\u{FFFD}\u{FFFD} d=4\"}"))
        let spoolFormat = Intake(spool: try SpoolWriter(directory: dir), clock: ManualTime(wall: 0)).lines([65], format: "spool", peer: "x")
        #expect(spoolFormat.status == 400)
    }
}
