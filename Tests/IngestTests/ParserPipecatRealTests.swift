import Foundation
import IncidentCore
import Testing

@testable import Ingest

/// Pipecat 1.14's own loguru lines: a real OpenAILLMService against a local stand-in that
/// refuses some requests, then its metrics helper for a TTS processor (Fixtures/pipecat).
@Suite struct ParserPipecatRealTests {
    static func line(_ time: String, _ level: String, _ msg: String) -> String {
        let padded = level.padding(toLength: 8, withPad: " ", startingAt: 0)
        return "2026-12-07 01:17:\(time) | \(padded) | pipecat.services.x:y:1 - \(msg)"
    }

    @Test func failedRequestsAreInTheErrorRateAndNotInTheLatency() throws {
        let r = try ParserFixtures.run(file: "pipecat/llm-standin.log")
        #expect(r.stats.unparsed == 0)
        #expect(r.stats.lines(of: .pipecat) == r.stats.lines)
        // Twelve requests, three refused with HTTP 500.
        #expect(r.sum(.llmRequest) == 12)
        #expect(r.sum(.llmError) == 3)
        #expect(r.values(.llmLatencyMs).count == 9)
        #expect(r.values(.llmLatencyMs).allSatisfy { $0 < 1000 })  // the refusals took > 1 s
        #expect(r.events.allSatisfy { !$0.timeWasInferred })
    }

    @Test func ttfatAndTextAggregationAreNotTTFB() throws {
        let lines = try ParserFixtures.lines("pipecat/llm-standin.log")
        let text = lines.map { String(decoding: $0, as: UTF8.self) }
        let r = ParserFixtures.run(lines)
        let llmTTFB = text.filter { $0.contains("LLMService#0 TTFB: ") }.count
        let ttsTTFB = text.filter { $0.contains("TTSService#0 TTFB: ") }.count
        #expect(text.contains { $0.contains("TTFAT: ") && $0.contains("s thinking)") })
        #expect(text.contains { $0.contains("text aggregation time: ") })
        #expect(r.values(.ttftMs).count == llmTTFB)
        #expect(r.values(.ttsTtfbMs).count == ttsTTFB)
        #expect(r.sum(.ttsRequest) == Double(ttsTTFB))
        let known = r.events.filter {
            $0.summary.contains("TTFAT: ") || $0.summary.contains("text aggregation time")
        }
        #expect(!known.isEmpty)
        #expect(known.allSatisfy { $0.samples.count == 0 })
    }

    @Test func oneFailureLoggedAsTwoErrorLinesIsOneFailure() {
        // The shape of Pipecat's Deepgram TTS disconnect path: the service logs the
        // exception, then the error frame it pushes is logged again.
        let r = ParserFixtures.run(
            [
                Self.line("20.100", "ERROR", "DeepgramTTSService#0 exception: connection reset"),
                Self.line("20.101", "ERROR", "DeepgramTTSService#0 error: connection reset"),
            ].joined(separator: "\n"))
        #expect(r.sum(.ttsError) == 1)
        #expect(r.sum(.ttsRequest) == 1)
        #expect(r.events.count == 2)
    }

    @Test func twoFailuresOfTwoRequestsAreTwo() {
        let r = ParserFixtures.run(
            [
                Self.line("20.000", "DEBUG", "OpenAILLMService#0: Generating LLM response [...]"),
                Self.line("21.000", "ERROR", "OpenAILLMService#0 exception (x.py:1): Error during completion: 500"),
                Self.line("21.001", "ERROR", "OpenAILLMService#0 error: Error during completion: 500"),
                Self.line("21.002", "DEBUG", "OpenAILLMService#0 processing time: 1.000s"),
                Self.line("21.100", "DEBUG", "OpenAILLMService#0: Generating LLM response [...]"),
                Self.line("22.100", "ERROR", "OpenAILLMService#0 exception (x.py:1): Error during completion: 500"),
                Self.line("22.101", "DEBUG", "OpenAILLMService#0 processing time: 1.000s"),
                Self.line("22.200", "DEBUG", "OpenAILLMService#0: Generating LLM response [...]"),
                Self.line("22.300", "DEBUG", "OpenAILLMService#0 TTFB: 0.100s"),
                Self.line("22.400", "DEBUG", "OpenAILLMService#0 processing time: 0.200s"),
            ].joined(separator: "\n"))
        #expect(r.sum(.llmError) == 2)
        #expect(r.sum(.llmRequest) == 3)
        #expect(r.values(.llmLatencyMs) == [200])
    }

    @Test func aFailureWithNoProcessingTimeIsStillARequest() {
        let r = ParserFixtures.run(
            [
                Self.line("20.000", "DEBUG", "OpenAILLMService#0 TTFB: 0.100s"),
                Self.line("20.200", "DEBUG", "OpenAILLMService#0 processing time: 0.200s"),
                Self.line("21.000", "ERROR", "OpenAILLMService#0 error: Error during completion: 429"),
            ].joined(separator: "\n"))
        #expect(r.sum(.llmRequest) == 2)
        #expect(r.sum(.llmError) == 1)
    }

    @Test func errorsOfOneProcessorDoNotHideAnothers() {
        let r = ParserFixtures.run(
            [
                Self.line("20.000", "ERROR", "OpenAILLMService#0 error: 500"),
                Self.line("20.001", "ERROR", "OpenAILLMService#1 error: 500"),
                Self.line("20.002", "ERROR", "CartesiaTTSService#0 error: 500"),
            ].joined(separator: "\n"))
        #expect(r.sum(.llmError) == 2)
        #expect(r.sum(.ttsError) == 1)
    }

    @Test func aRepeatLongAfterIsANewFailure() {
        let r = ParserFixtures.run(
            [
                Self.line("20.000", "ERROR", "OpenAILLMService#0 error: 500"),
                Self.line("40.000", "ERROR", "OpenAILLMService#0 error: 500"),
            ].joined(separator: "\n"))
        #expect(r.sum(.llmError) == 2)
    }
}
