import IncidentCore
import Testing

@testable import Console

/// `x` on a checklist item, as the reducer sees it: the run loop resolves the command, the
/// responder confirms, output streams, the end is journaled by the responder.
@Suite("Checks from the console")
struct CheckConsoleTests {
    /// The console with the runbook's checklists open and the cursor on `item`.
    func onItem(_ item: String) throws -> ConsoleState {
        var s = Fixture.consoleState(.critical)
        s.focus = .runbook
        s.runbook.mode = .checklists
        let lines = s.runbookLines(width: ConsoleReducer.runbookWidth(s))
        s.runbook.cursor = try #require(lines.filter(\.selectable).firstIndex { $0.item == item })
        #expect(ConsoleReducer.selectedLine(s)?.item == item)
        return s
    }

    @Test func anItemWithoutACheckSaysSo() throws {
        var s = try onItem("telephony.network")
        #expect(ConsoleReducer.reduce(&s, .key(.char("x"))).isEmpty)
        #expect(s.flash?.isError == true)
        #expect(s.flash?.text.contains("has no check") == true)
    }

    @Test func theWholeRunFromKeyToJournal() throws {
        var s = try onItem("telephony.sip-dns")
        #expect(ConsoleReducer.reduce(&s, .key(.char("x"))) == [.prepareCheck(item: "telephony.sip-dns")])
        _ = ConsoleReducer.reduce(&s, .checkPrepared(item: "telephony.sip-dns", command: "getent hosts sip.acme.net", source: "/i/playbook.yaml", error: nil))
        #expect(s.overlay == .confirmCheck(item: "telephony.sip-dns", command: "getent hosts sip.acme.net", source: "/i/playbook.yaml"))
        // Anything but y, n or Esc leaves the question up.
        #expect(ConsoleReducer.reduce(&s, .key(.char("q"))).isEmpty)
        #expect(s.overlay != nil)
        #expect(ConsoleReducer.reduce(&s, .key(.char("y"))) == [.runCheck(item: "telephony.sip-dns")])
        #expect(s.overlay == .checkOutput(scroll: 0))
        _ = ConsoleReducer.reduce(&s, .checkOutput(item: "telephony.sip-dns", line: "10.0.0.5 sip.acme.net"))
        #expect(s.check?.lines == ["10.0.0.5 sip.acme.net"])
        // Esc hides the output; the check goes on and keys work as usual.
        _ = ConsoleReducer.reduce(&s, .key(.escape))
        #expect(s.overlay == nil)
        #expect(s.check?.running == true)
        let outcome = CheckOutcome(
            result: .passed, command: "getent hosts sip.acme.net", durationMs: 30, exitCode: 0, reason: "exit code 0",
            excerpt: "10.0.0.5 sip.acme.net", playbookPath: "/i/playbook.yaml", playbookSHA256: "ab")
        let effects = ConsoleReducer.reduce(&s, .checkFinished(item: "telephony.sip-dns", outcome: outcome))
        guard case .record(_, let command, let actor)? = effects.first else {
            Issue.record("expected a journal write, got \(effects)")
            return
        }
        #expect(command == .checkRun(item: "telephony.sip-dns", outcome: outcome))
        #expect(actor == s.actor)
        #expect(s.flash?.text.contains("t ticks the item") == true)
    }

    @Test func cancelWhileRunningAndOnlyOneAtATime() throws {
        var s = try onItem("telephony.test-call")
        _ = ConsoleReducer.reduce(&s, .checkPrepared(item: "telephony.test-call", command: "sipp ...", source: "/i/p.yaml", error: nil))
        _ = ConsoleReducer.reduce(&s, .key(.char("y")))
        #expect(ConsoleReducer.reduce(&s, .key(.char("c"))) == [.cancelCheck])
        #expect(s.check?.cancelling == true)
        #expect(ConsoleReducer.reduce(&s, .key(.char("c"))).isEmpty)  // asked once
        _ = ConsoleReducer.reduce(&s, .key(.escape))
        // A second x while one runs shows the running one instead of starting another.
        #expect(ConsoleReducer.reduce(&s, .key(.char("x"))).isEmpty)
        #expect(s.overlay == .checkOutput(scroll: 0))
    }

    @Test func aRefusedPreparationIsAnErrorAndNoQuestion() throws {
        var s = try onItem("intelligence.endpoint")
        _ = ConsoleReducer.reduce(
            &s, .checkPrepared(item: "intelligence.endpoint", command: "", source: "/i/p.yaml", error: "check: ${LLM_API_KEY} is not set"))
        #expect(s.overlay == nil)
        #expect(s.flash?.isError == true)
    }

    @Test func theConfirmationShowsTheExactCommandAtBothSizes() throws {
        for (w, h) in [(120, 40), (80, 24)] {
            var s = try onItem("telephony.sip-dns")
            s.width = w
            s.height = h
            _ = ConsoleReducer.reduce(
                &s, .checkPrepared(item: "telephony.sip-dns", command: "getent hosts sip.acme.net", source: "/i/playbook.yaml", error: nil))
            let text = ConsoleRenderer.render(s).text
            #expect(text.contains("getent hosts sip.acme.net"), "\(w)x\(h)")
            #expect(text.contains("y runs it"), "\(w)x\(h)")
        }
    }
}

/// `@WHEN` in the console reads as `--at WHEN` does on the command line.
@Suite("Console back-dating")
struct ConsoleBackDateTests {
    @Test func atTimesMatchTheCommandLine() throws {
        let now = Timestamp(year: 2026, month: 12, day: 7, hour: 0, minute: 10)
        for text in ["23:50", "-15m", "00:05", "2026-12-06T22:00:00Z"] {
            #expect(try ConsoleCommandLine.backDate(text, now: now) == BackDate.parse(text, now: now))
        }
        #expect(try ConsoleCommandLine.backDate("23:50", now: now) == Timestamp(year: 2026, month: 12, day: 6, hour: 23, minute: 50))
    }
}
