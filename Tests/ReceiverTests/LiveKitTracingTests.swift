import Foundation
import IncidentCore
import Ingest
import Testing

@testable import Receiver

/// One session of the real livekit-agents 1.8.9 (scripts/gen-livekit-fixtures.sh): the
/// bodies its OpenTelemetry exporters sent, posted to the receiver with curl, read back from
/// the spool, and compared figure by figure with the metrics lines LiveKit logged in the same
/// session (Tests/IngestTests/Fixtures/livekit/session-json.log).
@Suite struct LiveKitTracingTests {
    static let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let fixtures = here.appendingPathComponent("Fixtures/livekit")
    static let sessionLog = here.deletingLastPathComponent()
        .appendingPathComponent("IngestTests/Fixtures/livekit/session-json.log")

    static func bodies(_ prefix: String) throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: fixtures.path)
            .filter { $0.hasPrefix(prefix) && $0.hasSuffix(".pb") }
            .sorted { $0.count != $1.count ? $0.count < $1.count : $0 < $1 }
        return names.map { fixtures.appendingPathComponent($0).path }
    }

    /// Posts each body as its exporter did and returns the spool read back.
    static func post(
        _ paths: [String], _ type: String, to endpoint: String, _ s: TestServer
    ) throws
        -> (events: [NormalizedEvent], results: [LineResult])
    {
        for p in paths {
            let r = try curl(["-H", "Content-Type: " + type, "--data-binary", "@" + p, s.base + endpoint])
            #expect(r.status == 200, "\(p): \(r.body)")
            #expect(!r.body.contains("rejected"), "\(p): \(r.body)")
        }
        return s.spoolEvents()
    }

    /// The session's own lines, as LiveKit wrote them (Foundation's JSON parser) and as
    /// dialtone reads them.
    struct Session {
        var lines: [[String: Any]] = []
        var events: [NormalizedEvent] = []

        init() throws {
            let text = try String(contentsOf: LiveKitTracingTests.sessionLog, encoding: .utf8)
            let parser = LineParser()
            for line in text.split(separator: "\n") {
                let o = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                lines.append(o)
                _ = parser.parse(String(line), arrivalTime: 0, into: &events)
            }
        }

        func written(_ message: String) -> [[String: Any]] { lines.filter { $0["message"] as? String == message } }
    }

    static func values(_ events: [NormalizedEvent], _ signal: Signal) -> [Double] {
        events.flatMap { e in e.samples.filter { $0.0 == signal }.map(\.1) }.sorted()
    }
    static func sum(_ events: [NormalizedEvent], _ signal: Signal) -> Double { values(events, signal).reduce(0, +) }
    /// LiveKit's metrics lines round seconds to two places (`round(v, 2)`): the span's figure
    /// as the line would print it, in ms.
    static func asLogged(_ v: [Double]) -> [Double] { v.map { ($0 / 10).rounded() * 10 }.sorted() }
    static func us(_ v: [Double]) -> [Double] { v.map { ($0 * 1000).rounded() / 1000 }.sorted() }

    @Test func protobufSpansBecomeTheMetricsOfTheSessionsLogLines() throws {
        let s = try TestServer()
        let (spans, results) = try Self.post(try Self.bodies("traces-"), "application/x-protobuf", to: "/v1/traces", s)
        #expect(!results.isEmpty && !results.contains(.unparsed))
        #expect(s.spoolLines().allSatisfy { $0.contains("\"service\":\"livekit-agent\",\"host\":\"agent-host-1\"") })
        let log = try Session()
        let llmLines = log.written("LLM metrics"), ttsLines = log.written("TTS metrics")
        #expect(llmLines.count == 5 && ttsLines.count == 3)

        // LLM: time to first token, as the line rounds it, one for one.
        #expect(Self.asLogged(Self.values(spans, .ttftMs)) == Self.values(log.events, .ttftMs))
        // LLM duration: the line has none, but its tokens per second are completion tokens over
        // it; each span's latency gives the same rate (the line rounds it to 0.01/s).
        let rates = llmLines.compactMap { l -> Double? in
            guard let n = l["completion_tokens"] as? Double, let tps = l["tokens_per_second"] as? Double else { return nil }
            return n / tps * 1000
        }
        let latencies = Self.values(spans, .llmLatencyMs)
        #expect(latencies.count == rates.count && rates.count == 5)
        for (a, b) in zip(latencies, rates.sorted()) { #expect(abs(a - b) < 1, "\(latencies) \(rates)") }
        // TTS: LiveKit logs the time to first byte unrounded.
        #expect(Self.us(Self.values(spans, .ttsTtfbMs)) == Self.us(Self.values(log.events, .ttsTtfbMs)))
        // The user turn's delays are the EOU line's.
        #expect(Self.asLogged(Self.values(spans, .eouDelayMs)) == Self.values(log.events, .eouDelayMs))
        #expect(Self.asLogged(Self.values(spans, .transcriptionDelayMs)) == Self.values(log.events, .transcriptionDelayMs))
        // A streaming STT has no latency of its own in either.
        #expect(Self.values(spans, .sttLatencyMs).isEmpty && Self.values(log.events, .sttLatencyMs).isEmpty)

        // Failures once each: four failed LLM attempts (a 429 and three 500s; the log has two
        // retry warnings, the 429's, and the final error), one failed TTS attempt (503).
        for signal in [Signal.llmRequest, .llmError, .rateLimited, .ttsRequest, .ttsError] {
            #expect(Self.sum(spans, signal) == Self.sum(log.events, signal), "\(signal)")
        }
        #expect(Self.sum(spans, .llmError) == 4 && Self.sum(spans, .rateLimited) == 1 && Self.sum(spans, .ttsError) == 1)
        // The request that gave up is the one error of its stack, as the final error line is;
        // its node and turn spans and the retried attempts warn, as the retry lines do.
        let errors = { (e: [NormalizedEvent]) in e.filter { $0.level >= .error && $0.stack == .intelligence }.count }
        #expect(errors(spans) == errors(log.events) && errors(spans) == 1)

        // The model LiveKit logged is the one on each request span.
        let llmModel = try #require(llmLines.first?["model_name"] as? String)
        let ttsModel = try #require(ttsLines.first?["model_name"] as? String)
        let requests = spans.filter { $0.summary.hasPrefix("[livekit-agent agent-host-1] span llm_request ") }
        #expect(requests.count == 6)
        #expect(requests.allSatisfy { $0.summary.contains("(\(llmModel))") })
        #expect(spans.filter { $0.summary.contains("span tts_request (\(ttsModel))") }.count == 3)
        // Tools: two calls, the second failed (ToolError).
        #expect(Self.values(spans, .toolCall) == [1, 1] && Self.values(spans, .toolSuccess) == [0, 1])
    }

    /// The same spans in OTLP's JSON encoding (a collector's `otlphttp` exporter with
    /// `encoding: json`): the same records, byte for byte past the arrival time.
    @Test func otlpJSONSpansReadLikeTheProtobuf() throws {
        let pb = try TestServer()
        _ = try Self.post(try Self.bodies("traces-"), "application/x-protobuf", to: "/v1/traces", pb)
        let js = try TestServer()
        let (events, results) = try Self.post(
            [Self.fixtures.appendingPathComponent("traces.json").path], "application/json", to: "/v1/traces", js)
        #expect(!results.contains(.unparsed))
        #expect(js.spoolLines().count == pb.spoolLines().count && js.spoolLines().count > 50)
        #expect(js.spoolLines() == pb.spoolLines())
        #expect(Self.sum(events, .llmError) == 4)
    }

    /// The session's log records as its OTLP log exporter sent them (LiveKit's `extra`
    /// fields as attributes) read exactly as its JSON lines on stdout.
    @Test func otlpLogRecordsReadLikeTheSessionsLines() throws {
        let s = try TestServer()
        let (records, results) = try Self.post(try Self.bodies("logs-"), "application/x-protobuf", to: "/v1/logs", s)
        #expect(!results.contains(.unparsed))
        let log = try Session()
        #expect(records.count == log.events.count)
        for signal in [Signal.ttftMs, .ttsTtfbMs, .eouDelayMs, .transcriptionDelayMs] {
            #expect(Self.us(Self.values(records, signal)) == Self.us(Self.values(log.events, signal)), "\(signal)")
        }
        for signal in [Signal.llmRequest, .llmError, .rateLimited, .ttsRequest, .ttsError] {
            #expect(Self.sum(records, signal) == Self.sum(log.events, signal), "\(signal)")
        }
        #expect(records.map(\.kind) == log.events.map(\.kind))
        #expect(records.map(\.level) == log.events.map(\.level))
    }

    /// Spans that came without GenAI attributes still name their model: LiveKit's own
    /// metrics attribute carries it.
    @Test func theModelComesFromLiveKitsOwnMetricsWithoutGenAIAttributes() throws {
        var req = OTLPExportTraceServiceRequest()
        for p in try Self.bodies("traces-") {
            var one = try OTLPExportTraceServiceRequest(serializedBytes: Array(try Data(contentsOf: URL(fileURLWithPath: p))))
            for i in one.resourceSpans.indices {
                for j in one.resourceSpans[i].scopeSpans.indices {
                    for k in one.resourceSpans[i].scopeSpans[j].spans.indices {
                        one.resourceSpans[i].scopeSpans[j].spans[k].attributes.removeAll { $0.key.hasPrefix("gen_ai.") }
                    }
                }
            }
            req.resourceSpans += one.resourceSpans
        }
        let records = OTLPMapping.spans(req, receivedAt: 0).records
        let requests = records.filter { $0.span == "llm_request" || $0.span == "tts_request" }
        #expect(requests.count == 9)
        // The failed request has no metrics attribute, so no model: none is made up.
        #expect(requests.filter { $0.model == nil }.count == 1)
        #expect(requests.filter { $0.span == "llm_request" }.compactMap(\.model).allSatisfy { $0 == "scripted-llm" })
        #expect(requests.filter { $0.span == "tts_request" }.map(\.model) == ["scripted-tts", "scripted-tts", "scripted-tts"])
    }
}
