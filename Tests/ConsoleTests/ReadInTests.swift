import IncidentCore
import Testing

@testable import Console

@Suite("Read-in for late joiners")
struct ReadInTests {
    @Test func readInFromTheJournalAndLiveHealthIsDeterministic() {
        let s = Fixture.consoleState(.critical)
        let a = ReadIn.render(ConsoleRenderer.readInLines(s), markdown: false)
        #expect(a == ReadIn.render(ConsoleRenderer.readInLines(s), markdown: false))
        #expect(a.contains("Severity: SEV-2 since 04:30 UTC"))
        #expect(a.contains("Incident commander: alice"))
        // Live health names the failing stack, its onset from the journal and the top cause.
        #expect(a.contains("Telephony CRITICAL since 04:32 UTC"))
        #expect(a.contains("top cause to check: SIP trunk down or unregistered"))
        #expect(a.contains("04:33 UTC: carrier A rotated SIP credentials at 04:10 (alice)"))
        #expect(a.contains("alice, bob"))
        #expect(a.contains("Status updates\n  none posted yet"))
        let md = ReadIn.render(ConsoleRenderer.readInLines(s), markdown: true)
        #expect(md.hasPrefix("# SIP trunk 503s on carrier A"))
        #expect(md.contains("\n## Failing stacks\n\n- Telephony CRITICAL"))
    }

    @Test func withoutLiveHealthTheJournalsAlertsSpeak() {
        let s = Fixture.incident(.degraded)
        let lines = ReadIn.lines(s, Fixture.playbook, id: s.id, now: Fixture.at(600), live: nil, here: [])
        let text = ReadIn.render(lines, markdown: false)
        #expect(text.contains("Intelligence WARNING since 04:32 UTC: Intelligence WARNING: LLM response time p95 700 ms > 500 ms"))
        #expect(text.contains("nobody attached"))
    }

    @Test func escClosesItAndAnyOtherKeyClosesItAndActs() {
        var s = Fixture.consoleState(.critical)
        s.overlay = .readIn(scroll: 0)
        let g = ConsoleRenderer.render(s)
        #expect(g.text.contains("Read-in: where this incident stands"))
        #expect(g.lines()[0].contains("SEV-2"), "the header stays in view")
        _ = ConsoleReducer.reduce(&s, .key(.char("j")))
        #expect(s.overlay == .readIn(scroll: 1))
        _ = ConsoleReducer.reduce(&s, .key(.escape))
        #expect(s.overlay == nil)
        #expect(!ConsoleRenderer.render(s).text.contains("Read-in"))
        s.overlay = .readIn(scroll: 0)
        _ = ConsoleReducer.reduce(&s, .key(.char("a")))
        #expect(s.overlay == nil)
        #expect(s.prompt?.kind == .note, "the key that closed it opened the note prompt")
    }
}
