import Foundation
import IncidentCore
import Ingest
import Testing

@testable import Receiver

/// The OpenTelemetry Python SDK's own OTLP/HTTP exporters (protobuf; logs gzip-compressed)
/// against the receiver. CI installs the SDK (.ci/run); without it this test fails, loudly.
@Suite struct PythonExporterTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Clients/otel_export.py").path

    @Test func sdkExportersLogsAndPipecatSpans() throws {
        let s = try TestServer()
        let (code, out, err) = try runProcess("/usr/bin/env", ["python3", Self.script, s.base])
        #expect(code == 0, "otel_export.py failed: \(out) \(err)")
        // The SDK reports failed exports on stderr; none may have failed.
        #expect(!err.contains("Failed to export"), "\(err)")
        let lines = s.spoolLines()
        let logs = lines.filter { $0.contains("\"via\":\"otlp-log\"") }
        let spans = lines.filter { $0.contains("\"via\":\"otlp-span\"") }
        #expect(logs.count == 3)
        #expect(spans.count == 5)
        // Resource attributes travel on every record.
        #expect(lines.allSatisfy { $0.contains("\"service\":\"voice-agent\",\"host\":\"agent-host-3\",\"pod\":\"agent-7f9c\"") })

        let (events, results) = s.spoolEvents()
        #expect(!results.contains(.unparsed), "\(zip(lines, results).filter { $0.1 == .unparsed }.map(\.0))")
        func values(_ signal: Signal) -> [Double] {
            events.flatMap { e in e.samples.filter { $0.0 == signal }.map { ($0.1 * 1000).rounded() / 1000 } }
        }
        // LiveKit JSON body and LiveKit metrics in logging `extra`: TTFT in ms, both.
        // Pipecat's llm span: metrics.ttfb 0.42 s as TTFT 420 ms.
        #expect(values(.ttftMs).sorted() == [250, 350, 420])
        // Pipecat's TTS TTFB: from the loguru line (0.21 s) and the tts span (0.18 s).
        #expect(values(.ttsTtfbMs).sorted() == [180, 210])
        #expect(values(.sttLatencyMs) == [300])
        // Two LLM spans, one failed: both requests, one error.
        #expect(values(.llmError) == [1])
        let spanEvents = events.filter { $0.summary.contains("span llm_openaillmservice") }
        #expect(spanEvents.count == 2)
        #expect(spanEvents.allSatisfy { $0.summary.contains("(gpt-4o)") && $0.stack == .intelligence })
        #expect(spanEvents.filter { $0.level == .error }.count == 1)
    }

    static let pipecatScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Clients/pipecat_tracing.py").path

    /// Pipecat's own tracing setup and span attributes (pipecat-ai, installed by .ci/run).
    @Test func pipecatTracingBecomesTheMetricsOfItsLogLines() throws {
        let s = try TestServer()
        let (code, out, err) = try runProcess("/usr/bin/env", ["python3", Self.pipecatScript, s.base])
        #expect(code == 0, "pipecat_tracing.py failed: \(out) \(err)")
        #expect(!err.contains("Failed to export"), "\(err)")
        let lines = s.spoolLines()
        // conversation + 2 x (turn, stt, llm, tts)
        #expect(lines.count == 9)
        #expect(lines.allSatisfy { $0.contains("\"service\":\"pipecat-agent\"") })
        let (events, results) = s.spoolEvents()
        #expect(!results.contains(.unparsed))
        func values(_ signal: Signal) -> [Double] {
            events.flatMap { e in e.samples.filter { $0.0 == signal }.map { ($0.1 * 1000).rounded() / 1000 } }.sorted()
        }
        #expect(values(.sttLatencyMs) == [280, 310])
        #expect(values(.ttftMs) == [520, 610])
        #expect(values(.ttsTtfbMs) == [190, 210])
        #expect(values(.ttsRequest) == [1, 1])
        #expect(values(.e2eLatencyMs) == [1200, 1400])
        // The LLM span's own length (it slept 10 ms) is its latency.
        #expect(values(.llmLatencyMs).allSatisfy { $0 >= 10 && $0 < 5000 })
        #expect(values(.llmLatencyMs).count == 2)
        #expect(events.filter { $0.kind == .turn }.count == 2)
        #expect(events.contains { $0.summary.contains("span llm (gpt-4o)") })
    }
}
