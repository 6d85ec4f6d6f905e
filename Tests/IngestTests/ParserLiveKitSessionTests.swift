import Foundation
import IncidentCore
import Testing

@testable import Ingest

/// One session of the real livekit-agents (scripts/livekit-session.py): the same lines in its
/// JSON form and its dev-mode coloured form, read figure by figure against what LiveKit wrote
/// into the JSON (read here with Foundation's JSON parser, not dialtone's).
@Suite struct ParserLiveKitSessionTests {
    /// What the session's JSON lines say, by message.
    struct Written {
        var ttft: [Double] = [], ttsTtfb: [Double] = [], eou: [Double] = [], transcription: [Double] = []
        var llmFailures = 0, rateLimited = 0, ttsFailures = 0, llmMetricsLines = 0, ttsMetricsLines = 0

        init() throws {
            for line in try ParserFixtures.lines("livekit/session-json.log") {
                let o = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
                let message = o["message"] as? String ?? ""
                func ms(_ key: String) -> Double? { (o[key] as? Double).map { $0 * 1000 } }
                switch message {
                case "LLM metrics":
                    llmMetricsLines += 1
                    ttft += ms("ttft").map { [$0] } ?? []
                case "TTS metrics":
                    ttsMetricsLines += 1
                    ttsTtfb += ms("ttfb").map { [$0] } ?? []
                case "EOU metrics":
                    eou += ms("end_of_utterance_delay").map { [$0] } ?? []
                    transcription += ms("transcription_delay").map { [$0] } ?? []
                case _ where message.hasPrefix("failed to generate LLM completion:"):
                    llmFailures += 1
                    if message.contains("status_code=429") { rateLimited += 1 }
                case "Error in _llm_inference_task":
                    llmFailures += 1
                case _ where message.hasPrefix("failed to synthesize speech:"):
                    ttsFailures += 1
                default: break
                }
            }
        }
    }

    /// Rounded to a microsecond: dialtone reads decimals exactly, Foundation in binary.
    static func us(_ v: [Double]) -> [Double] { v.map { ($0 * 1000).rounded() / 1000 } }

    @Test(arguments: ["livekit/session-json.log", "livekit/session-dev-ansi.log"])
    func eachFigureIsTheOneLiveKitWrote(file: String) throws {
        let w = try Written()
        // The session did what the script set out: five answers, three voices, four turns,
        // a 429 and two 500s retried, a final failure, a 503 retried.
        #expect(w.llmMetricsLines == 5 && w.ttsMetricsLines == 3 && w.eou.count == 4)
        #expect(w.llmFailures == 4 && w.rateLimited == 1 && w.ttsFailures == 1)

        let lines = try ParserFixtures.lines(file)
        let r = ParserFixtures.run(lines)
        // Every line is LiveKit's or, in dev mode, the final error's traceback.
        #expect(r.stats.unparsed == 0, "\(zip(lines, r.results).filter { $0.1 == .unparsed }.map { String(decoding: $0.0, as: UTF8.self) })")
        #expect(Self.us(r.values(.ttftMs)) == Self.us(w.ttft))
        #expect(Self.us(r.values(.ttsTtfbMs)) == Self.us(w.ttsTtfb))
        #expect(Self.us(r.values(.eouDelayMs)) == Self.us(w.eou))
        #expect(Self.us(r.values(.transcriptionDelayMs)) == Self.us(w.transcription))
        // Each failure line is one failed request; the traceback under the final error
        // (which repeats "failed to generate LLM completion") adds nothing.
        #expect(r.sum(.llmError) == Double(w.llmFailures))
        #expect(r.sum(.llmRequest) == Double(w.llmMetricsLines + w.llmFailures))
        #expect(r.sum(.rateLimited) == Double(w.rateLimited))
        #expect(r.sum(.ttsError) == Double(w.ttsFailures))
        #expect(r.sum(.ttsRequest) == Double(w.ttsMetricsLines + w.ttsFailures))
        // A streaming STT reports no latency of its own: none is made up.
        #expect(r.values(.sttLatencyMs).isEmpty)
        #expect(r.events.filter { $0.summary == "LLM rate limited (429)" }.count == 1)
        #expect(r.events.filter { $0.summary == "TTS synthesis failed" }.count == 1)
    }

    @Test func theTwoFormsGiveTheSameEvents() throws {
        let json = try ParserFixtures.run(file: "livekit/session-json.log")
        let dev = try ParserFixtures.run(file: "livekit/session-dev-ansi.log")
        let counted = { (r: ParserFixtures.Run) -> [NormalizedEvent] in r.events.filter { $0.samples.count > 0 } }
        #expect(counted(dev).map(\.kind) == counted(json).map(\.kind))
        #expect(counted(dev).map(\.level) == counted(json).map(\.level))
        #expect(counted(dev).map(\.summary) == counted(json).map(\.summary))
        // Same lines, same clock: the dev form's times are the JSON's to the millisecond.
        for (d, j) in zip(counted(dev), counted(json)) { #expect(abs(d.time - j.time) < 0.0015) }
        #expect(dev.events.allSatisfy { !$0.summary.utf8.contains(27) })
    }

    @Test func aTracebackGivesNothingAndTheNextLineIsReadAsItself() throws {
        let dev = try ParserFixtures.lines("livekit/session-dev-ansi.log")
        let start = try #require(dev.firstIndex { $0.starts(with: Array("Traceback (".utf8)) })
        let traceback = Array(dev[start...])
        let after = [
            Array("2026-12-07 06:56:17,001 - INFO livekit.agents - TTS metrics {\"ttfb\": 0.25}".utf8),
            Array("    indented, but after the traceback ended".utf8),
        ]
        let r = ParserFixtures.run(traceback + after)
        #expect(r.results.prefix(traceback.count).allSatisfy { $0 == .parsed })
        #expect(r.events.count == 1)
        #expect(r.values(.ttsTtfbMs) == [250])
        #expect(r.results.last == .unparsed)
    }
}
