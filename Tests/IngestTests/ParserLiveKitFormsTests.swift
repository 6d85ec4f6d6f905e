import Foundation
import IncidentCore
import Testing

@testable import Ingest

/// livekit-agents 1.8's own log formatters (dev mode with colour, the same with the colour
/// taken out, compact, JSON), written by its metrics logging helper (Fixtures/livekit).
@Suite struct ParserLiveKitFormsTests {
    static let signals: [Signal] = [
        .ttftMs, .llmRequest, .llmError, .rateLimited, .ttsTtfbMs, .ttsRequest, .ttsError,
        .eouDelayMs, .transcriptionDelayMs,
    ]

    static func values(_ r: ParserFixtures.Run) -> [Signal: [Double]] {
        var d = [Signal: [Double]]()
        for s in signals { d[s] = r.values(s).sorted() }
        return d
    }

    @Test func theJSONFormReadsEveryMetric() throws {
        let r = try ParserFixtures.run(file: "livekit/json.log")
        #expect(r.stats.unparsed == 0)
        #expect(r.stats.lines(of: .livekit) == 42)
        #expect(r.values(.ttftMs).count == 9)  // ten LLM records, one with ttft -1
        #expect(r.values(.ttftMs).contains(410))
        #expect(r.sum(.llmError) == 3)  // the -1 ttft, the 429 retry, the final failure
        #expect(r.sum(.rateLimited) == 1)
        #expect(r.values(.ttsTtfbMs).count == 10)
        #expect(r.values(.eouDelayMs).count == 10)
        #expect(r.events.allSatisfy { !$0.timeWasInferred })
    }

    @Test(arguments: ["livekit/dev-ansi.log", "livekit/dev-plain.log", "livekit/compact-ansi.log"])
    func textFormsReadLikeTheJSONForm(file: String) throws {
        let json = try ParserFixtures.run(file: "livekit/json.log")
        let text = try ParserFixtures.run(file: file)
        #expect(text.stats.unparsed == 0)
        #expect(text.stats.lines(of: .livekit) == 42)
        #expect(Self.values(text) == Self.values(json))
        #expect(text.events.map(\.kind) == json.events.map(\.kind))
        #expect(text.events.map(\.level) == json.events.map(\.level))
        #expect(text.events.prefix(4).map(\.summary) == ["LLM metrics", "TTS metrics", "EOU metrics", "STT metrics"])
        // No colour code survives into what the log pane is given.
        #expect(text.events.allSatisfy { !$0.summary.utf8.contains(27) })
    }

    @Test func devModeTimesAreTheLinesOwn() throws {
        let r = try ParserFixtures.run(file: "livekit/dev-ansi.log")
        #expect(r.events.allSatisfy { !$0.timeWasInferred })
        let first = try ParserFixtures.lines("livekit/dev-plain.log")[0]
        // "2026-12-07 01:15:xx,mmm - INFO ..." read as UTC (the fixture context's zone).
        let text = String(decoding: first.prefix(23), as: UTF8.self)
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        let f = DateFormatter()
        f.calendar = cal
        f.timeZone = cal.timeZone
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "yyyy-MM-dd HH:mm:ss,SSS"
        let expected = try #require(f.date(from: text)).timeIntervalSince1970
        #expect(abs(r.events[0].time - expected) < 0.001)
    }

    @Test func compactFormHasNoDateSoItsTimesAreInferred() throws {
        let r = try ParserFixtures.run(file: "livekit/compact-ansi.log")
        #expect(r.events.allSatisfy { $0.timeWasInferred })
    }

    @Test func colourCodesAroundLevelAndJSONAreTakenOut() {
        let line =
            "2026-12-06 21:42:52,793 - \u{1b}[32mINFO\u{1b}[0m livekit.agents - TTS metrics \u{1b}[90m{\"ttfb\": 0.25, \"audio_duration\": 1.0}\u{1b}[0m"
        let r = ParserFixtures.run(line)
        #expect(r.values(.ttsTtfbMs) == [250])
        #expect(r.events.first?.level == .info)
        #expect(r.events.first?.timeWasInferred == false)
    }

    @Test func aLoneEscapeByteDoesNotCrashOrHang() {
        for line in ["\u{1b}", "abc\u{1b}", "\u{1b}[", "\u{1b}[31", "x \u{1b}[999;999;999"] {
            let r = ParserFixtures.run(line)
            #expect(r.results.count == 1)
        }
    }
}
