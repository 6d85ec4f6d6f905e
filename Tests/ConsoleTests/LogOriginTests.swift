import IncidentCore
import Ingest
import Testing

@testable import Console

@Suite("Enveloped lines in the log pane")
struct LogOriginTests {
    static let inner = #"{"call_id":"call_abc","turn_index":3,"latency_ms":{"stt":180,"llm":420,"tts":150,"total":750}}"#

    static func enveloped(origin: String) -> LogLine {
        var l = Fixture.line(500, 710, .intelligence, .info, #"{"log":"\#(inner)\n","stream":"stdout"}"#)
        l.origin = origin
        l.inner = inner
        return l
    }

    @Test func theInnerLineIsWhatIsSummarisedAndRawShowsTheLineAsRead() {
        var v = LogView()
        let l = Self.enveloped(origin: "voice-agent-7c9f6d5b8-x2kqp/agent")
        #expect(v.displayText(l).hasPrefix("turn 3 call_abc"))
        v.raw = true
        #expect(v.displayText(l).hasPrefix(#"{"log":"#))
    }

    @Test(arguments: [(120, 40), (80, 24)])
    func theOriginIsShownAfterTheLevel(width: Int, height: Int) {
        var s = Fixture.consoleState(.healthy, width: width, height: height)
        s.log.lines.append(Self.enveloped(origin: "voice-agent-7c9f6d5b8-x2kqp/agent"))
        let text = ConsoleRenderer.render(s).text
        let row = text.split(separator: "\n").first { $0.contains("turn 3 call_abc") }
        #expect(row != nil)
        // Cut to about a quarter of the row, with the message after it.
        #expect(row?.contains(width >= 120 ? "voice-agent-7c9f6d5b8-x2kqp…" : "voice-agent-7c9f6d…") == true, "\(row ?? "")")
        #expect(row.map { $0.range(of: "voice-agent")!.lowerBound < $0.range(of: "turn 3")!.lowerBound } == true)
    }

    @Test func aHostileOriginIsSanitised() {
        var s = Fixture.consoleState(.healthy)
        s.log.lines.append(Self.enveloped(origin: "pod\u{1B}]0;PWNED\u{07}/x"))
        let text = ConsoleRenderer.render(s).text
        #expect(!text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 })
    }

    @Test func searchFindsTheOrigin() {
        var v = LogView()
        v.lines = [Self.enveloped(origin: "sbc-1 opensips"), Fixture.line(501, 711, nil, .info, "other")]
        v.search = "opensips"
        #expect(v.searchMatches(in: v.lines) == [0])
    }
}
